"""`{% peer_educator_summary inmate %}`: the peer-educator line of an inmate's profile (cohorts and sessions counted).

The inmate profile lives in the inmates app, which must not import programmes; a template tag keeps the
dependency in the template layer, where programmes are allowed to add to inmate pages."""

from django import template

from programs.models import PeerEducator
from programs.services.peer_educators import peer_educator_session_counts

register = template.Library()


@register.inclusion_tag("programs/peer_educators/_inmate_summary.html")
def peer_educator_summary(inmate) -> dict:
    roles = list(PeerEducator.objects.filter(inmate=inmate).select_related("cohort").order_by("-assigned_on"))
    sessions = peer_educator_session_counts(inmate_ids=[inmate.pk]).get(inmate.pk, 0) if roles else 0
    return {"roles": roles, "sessions": sessions}
