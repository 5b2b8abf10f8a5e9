from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InmatesConfig(AppConfig):
    name = "inmates"
    verbose_name = _("People in custody")

    def ready(self) -> None:
        # Every change to these records is kept in the audit trail, in the same transaction.
        from auditlog.registry import auditlog

        from inmates import models

        for model in (
            models.Inmate,
            models.CustodyEvent,
            # Casework: instruments are reference data, but a changed item or band changes what a level means.
            models.AssessmentInstrument,
            models.AnswerScale,
            models.AnswerOption,
            models.AssessmentDomain,
            models.AssessmentItem,
            models.ScoringBand,
            models.Assessment,
            models.AssessmentAnswer,
            models.RehabilitationPlan,
            models.PlanGoal,
            models.PlanStep,
            models.PlanIntervention,
            models.PlanReview,
            models.ReleaseTask,
            models.Referral,
            models.FollowUp,
        ):
            auditlog.register(model)
        # SensitiveRead is itself a log: it is written once and never changed, so it is not audited again.
