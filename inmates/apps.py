from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InmatesConfig(AppConfig):
    name = "inmates"
    verbose_name = _("People in custody")
