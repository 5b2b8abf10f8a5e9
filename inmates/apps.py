from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InmatesConfig(AppConfig):
    name = "inmates"
    verbose_name = _("People in custody")

    def ready(self) -> None:
        # Every change to these records is kept in the audit trail, in the same transaction.
        from auditlog.registry import auditlog

        from inmates import models

        for model in (models.Inmate, models.CustodyEvent):
            auditlog.register(model)
