import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from programs.selectors import cohorts_delivered_by, sessions_delivered_by
from rehab.scoping import facilities_for, organisations_for, role_assignments


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Landing page: the user's roles and what they reach."""
    today = timezone.localdate()
    context = {
        "assignments": role_assignments(request.user),
        "facilities": facilities_for(request.user).select_related("prison_service").order_by("prison_service__name", "name"),
        "organisations": organisations_for(request.user),
        "cohorts_delivered": cohorts_delivered_by(user=request.user),
        "upcoming_sessions": sessions_delivered_by(user=request.user, start=today, end=today + dt.timedelta(days=6))[:20],
    }
    return render(request, "rehab/home.html", context)


urlpatterns: list = []
