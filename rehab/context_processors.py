from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from rehab.models import Role
from rehab.scoping import role_assignments, roles_of

_MANAGERS = {Role.DIRECTOR, Role.PROGRAMME_OFFICER, Role.SYSTEM_ADMINISTRATOR}
_CASEWORK = _MANAGERS | {Role.CASE_MANAGER}

# (label, URL name, roles that see the link). Links whose view is not installed are left out.
NAVIGATION = [
    (_("Today"), "programs:today", {Role.TRAINER}),
    (_("This week"), "programs:week", {Role.TRAINER}),
    (_("Dashboard"), "programs:dashboards", _CASEWORK),
    (_("Cohorts"), "programs:cohort_list", _CASEWORK),
    (_("Sessions"), "programs:session_list", _CASEWORK),
    (_("Waitlist"), "programs:waitlist_list", _CASEWORK),
    (_("Requests"), "programs:course_requests", _MANAGERS),
    (_("Cascades"), "programs:cascade_list", _MANAGERS),
    (_("Inmates"), "inmates:list", _CASEWORK),
    (_("Assessments due"), "inmates:assessments_due", {Role.DIRECTOR, Role.CASE_MANAGER, Role.SYSTEM_ADMINISTRATOR}),
    (_("Movements"), "programs:movement_list", {Role.DIRECTOR, Role.CASE_MANAGER, Role.SYSTEM_ADMINISTRATOR}),
    (_("Upcoming releases"), "programs:upcoming_releases", {Role.DIRECTOR, Role.CASE_MANAGER, Role.SYSTEM_ADMINISTRATOR}),
    (_("My referrals"), "programs:my_referrals", {Role.PROBATION_OFFICER, Role.SYSTEM_ADMINISTRATOR}),
    (_("Certificates"), "certificates:cohort_list", {Role.REGISTRAR, Role.SYSTEM_ADMINISTRATOR}),
    (_("Funding"), "programs:funding_action_list", {Role.PROGRAMME_OFFICER, Role.DONOR, Role.SYSTEM_ADMINISTRATOR}),
    (_("Inventory"), "programs:inventory_index", _MANAGERS),
    (_("Donor reports"), "programs:donor_report", _MANAGERS | {Role.DONOR}),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    links = []
    for label, name, allowed in NAVIGATION:
        if roles & allowed:
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            links.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"current_roles": role_assignments(user), "nav_links": links}
