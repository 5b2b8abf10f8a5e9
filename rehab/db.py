"""Query expressions shared by the apps' selectors and views."""

from __future__ import annotations

from django.db.models import Count, Model, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_of(model: type[Model], link: str, **conditions) -> Coalesce:
    """How many `model` rows point at each row of the queryset it annotates (through the foreign key `link`),
    as a correlated subquery.

    A joined Count groups every row the filters match (two million attendance rows for a national programme
    officer) and makes PostgreSQL plan a GROUP BY over every selected column; these subqueries are planned once
    each and evaluated only for the rows returned, and a paginator's COUNT leaves them out.
    """
    rows = (
        model.objects.filter(**{link: OuterRef("pk")}, **conditions)
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)
