from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        # Every change to these records is kept in the audit trail, in the same transaction.
        from auditlog.registry import auditlog

        from programs import models
        from rehab import refdata

        for model in (
            models.Course,
            models.Cohort,
            models.WeeklySlot,
            models.Session,
            models.Enrolment,
            models.Attendance,
            models.CourseRequest,
            models.CourseModule,
            models.FundingAction,
            models.FundingActionCountry,
            models.TrainerQualification,
            models.SessionTrainer,
            models.Donation,
            models.EquipmentItem,
            models.EquipmentNeed,
            models.PeerEducator,
        ):
            auditlog.register(model)
        refdata.register(models.Course)
