from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RehabConfig(AppConfig):
    name = "rehab"
    verbose_name = _("Organisations and staff")

    def ready(self) -> None:
        # Every change to these records is kept in the audit trail, in the same transaction.
        from auditlog.registry import auditlog

        from rehab import models, refdata

        for model in (models.Organisation, models.Facility, models.Room, models.StaffMember, models.RoleAssignment, models.PublicHoliday):
            auditlog.register(model)
        refdata.register(models.Organisation, models.Facility, models.Room)
