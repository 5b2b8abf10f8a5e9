from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RehabConfig(AppConfig):
    name = "rehab"
    verbose_name = _("Organisations and staff")
