from django.http import HttpRequest

from rehab.scoping import role_assignments


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"current_roles": role_assignments(user)}
