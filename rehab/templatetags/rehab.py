from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def display_name(user, fallback: str = "") -> str:
    """A user's full name, else their username, else the fallback ("someone" by default); safe on None."""
    if user is None:
        return fallback or _("someone")
    return user.get_full_name() or user.get_username()
