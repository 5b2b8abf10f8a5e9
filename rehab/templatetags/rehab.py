from django import template
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def display_name(user, fallback: str = "") -> str:
    """A user's full name, else their username, else the fallback ("someone" by default); safe on None."""
    if user is None:
        return fallback or _("someone")
    return user.get_full_name() or user.get_username()


@register.simple_tag
def select_options(field) -> str:
    """The <option> tags of a bound select field, its current choice selected, as its widget would draw them.

    The widget builds a dictionary of attributes and a template context for every option (a third of a list
    page's filter form); a filter's dropdowns have no option groups and no attributes per option."""
    widget = field.field.widget
    chosen = set(widget.format_value(field.value()))
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) in chosen else "", label) for value, label in widget.choices),
    )
