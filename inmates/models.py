"""People in custody, their movements between facilities and their casework (assessments, plans, release)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rehab.models import Facility, Gender, Organisation, StaffMember


class Inmate(models.Model):
    class Status(models.TextChoices):
        IN_CUSTODY = "in_custody", _("In custody")
        RELEASED = "released", _("Released")
        TRANSFERRED = "transferred", _("Transferred out of the service")

    prison_service = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="inmates",
        limit_choices_to={"kind": Organisation.Kind.PRISON_SERVICE},
        verbose_name=_("prison service"),
    )
    registration_number = models.CharField(_("registration number"), max_length=40)
    # Names are stored exactly as written in the person's own script (Latin or Cyrillic).
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    current_facility = models.ForeignKey(
        Facility,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inmates",
        verbose_name=_("current facility"),
    )
    admission_date = models.DateField(_("admission date"))
    expected_release_date = models.DateField(_("expected release date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_CUSTODY)
    # Set by the retention command (anonymise_released): names, number, exact birth date and notes are gone.
    anonymised_on = models.DateField(_("anonymised on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("inmate")
        verbose_name_plural = _("inmates")
        constraints = [
            models.UniqueConstraint(
                fields=["prison_service", "registration_number"], name="inmate_unique_number_per_service"
            ),
            models.CheckConstraint(
                condition=Q(expected_release_date__isnull=True)
                | Q(expected_release_date__gte=models.F("admission_date")),
                name="inmate_release_after_admission",
            ),
            models.CheckConstraint(
                condition=~Q(status="in_custody") | Q(current_facility__isnull=False),
                name="inmate_in_custody_has_facility",
            ),
        ]
        indexes = [models.Index(fields=["current_facility", "status"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.registration_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean(self) -> None:
        if self.current_facility_id and self.prison_service_id:
            if self.current_facility.prison_service_id != self.prison_service_id:
                raise ValidationError(
                    {"current_facility": _("The facility belongs to another prison service.")}
                )


class CustodyEvent(models.Model):
    """One movement in a person's custody history; the history follows them across facilities."""

    class Kind(models.TextChoices):
        ADMISSION = "admission", _("Admission")
        TRANSFER = "transfer", _("Transfer")
        RELEASE = "release", _("Release")
        READMISSION = "readmission", _("Re-admission")

    inmate = models.ForeignKey(Inmate, on_delete=models.CASCADE, related_name="custody_events", verbose_name=_("inmate"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    from_facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from")
    )
    to_facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("to")
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["inmate", "date", "id"]
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["admission", "readmission"], to_facility__isnull=False)
                    | Q(kind="transfer", to_facility__isnull=False, from_facility__isnull=False)
                    | Q(kind="release", from_facility__isnull=False, to_facility__isnull=True)
                ),
                name="custodyevent_facilities_match_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


# ------------------------------------------------------------------------------------------------ casework
# The most sensitive records of the product. Only case managers and directors of the person's facility (and the
# system administrator) reach them; trainers never do. Reads are logged in SensitiveRead, changes in auditlog.


class AssessmentLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    VERY_HIGH = "very_high", _("Very high")


class NeedArea(models.TextChoices):
    """The need areas of the risk-and-needs assessment; plan goals name one of them."""

    EDUCATION = "education", _("Education")
    EMPLOYMENT = "employment", _("Employment")
    ACCOMMODATION = "accommodation", _("Accommodation")
    FAMILY = "family", _("Family and relationships")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    MENTAL_HEALTH = "mental_health", _("Mental health and well-being")
    ATTITUDES = "attitudes", _("Attitudes")
    PEERS = "peers", _("Peers and associates")


class AssessmentInstrument(models.Model):
    """A screening or assessment tool defined as data: domains of items, answer scales and scoring bands."""

    class Kind(models.TextChoices):
        VEP_SCREENING = "vep_screening", _("VEP screening")
        RISK_NEEDS = "risk_needs", _("Risk and needs assessment")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    description = models.TextField(_("description"), blank=True)
    reassess_after_months = models.PositiveSmallIntegerField(_("reassess after (months)"), default=6)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")
        constraints = [
            models.CheckConstraint(condition=Q(reassess_after_months__gt=0), name="instrument_reassess_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def score_range(self) -> tuple[int, int]:
        """The lowest and highest total score the instrument's items allow."""
        low = high = 0
        if self.pk is None:
            return low, high
        for item in AssessmentItem.objects.filter(domain__instrument=self).select_related("scale"):
            scores = [option.score for option in item.scale.options.all()]
            if scores:
                low += min(scores)
                high += max(scores)
        return low, high

    def band_problems(self, bands: list[tuple[int, int]] | None = None) -> list[str]:
        """Why the total-score bands do not cover every possible score exactly once (empty when they do)."""
        if bands is None:
            bands = list(self.bands.filter(domain__isnull=True).values_list("min_score", "max_score"))
        return band_problems(bands, *self.score_range())


def band_problems(bands: list[tuple[int, int]], low: int, high: int) -> list[str]:
    """Gaps and overlaps of `bands` (inclusive min, max pairs) over the scores `low`..`high`."""
    problems = []
    expected = low  # the lowest score not covered yet
    previous_max: int | None = None
    for min_score, max_score in sorted(bands):
        if previous_max is not None and min_score <= previous_max:
            problems.append(
                _("Bands overlap from %(start)d to %(end)d.")
                % {"start": min_score, "end": min(previous_max, max_score)}
            )
        elif min_score > expected and expected <= high:
            problems.append(
                _("No band covers the scores %(start)d to %(end)d.")
                % {"start": expected, "end": min(min_score - 1, high)}
            )
        expected = max(expected, max_score + 1)
        previous_max = max_score if previous_max is None else max(previous_max, max_score)
    if expected <= high:
        problems.append(_("No band covers the scores %(start)d to %(end)d.") % {"start": expected, "end": high})
    return problems


class AnswerScale(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("answer scale")
        verbose_name_plural = _("answer scales")

    def __str__(self) -> str:
        return self.name


class AnswerOption(models.Model):
    scale = models.ForeignKey(AnswerScale, on_delete=models.CASCADE, related_name="options", verbose_name=_("scale"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("label"), max_length=200)
    score = models.IntegerField(_("score"))

    class Meta:
        ordering = ["scale", "order", "id"]
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        constraints = [
            models.UniqueConstraint(fields=["scale", "label"], name="answeroption_unique_label_per_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.score})"


class AssessmentDomain(models.Model):
    instrument = models.ForeignKey(
        AssessmentInstrument, on_delete=models.CASCADE, related_name="domains", verbose_name=_("instrument")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["instrument", "order", "id"]
        verbose_name = _("assessment domain")
        verbose_name_plural = _("assessment domains")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="assessmentdomain_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class AssessmentItem(models.Model):
    domain = models.ForeignKey(AssessmentDomain, on_delete=models.CASCADE, related_name="items", verbose_name=_("domain"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    text = models.TextField(_("text"))
    scale = models.ForeignKey(AnswerScale, on_delete=models.PROTECT, related_name="items", verbose_name=_("scale"))

    class Meta:
        ordering = ["domain__order", "order", "id"]
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        constraints = [models.UniqueConstraint(fields=["domain", "code"], name="assessmentitem_unique_code")]

    def __str__(self) -> str:
        return self.text[:80]


class ScoringBand(models.Model):
    """A range of scores (inclusive) and the level it means; total-score bands have no domain."""

    instrument = models.ForeignKey(
        AssessmentInstrument, on_delete=models.CASCADE, related_name="bands", verbose_name=_("instrument")
    )
    domain = models.ForeignKey(
        AssessmentDomain, on_delete=models.CASCADE, null=True, blank=True, related_name="bands",
        verbose_name=_("domain"),
    )
    min_score = models.IntegerField(_("lowest score"))
    max_score = models.IntegerField(_("highest score"))
    level = models.CharField(_("level"), max_length=10, choices=AssessmentLevel.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)

    class Meta:
        ordering = ["instrument", "domain", "min_score"]
        verbose_name = _("scoring band")
        verbose_name_plural = _("scoring bands")
        constraints = [
            models.CheckConstraint(condition=Q(min_score__lte=F("max_score")), name="scoringband_min_not_above_max"),
        ]

    # Set by the admin's band formset, which checks all of an instrument's bands together (coverage and overlap
    # among the submitted values): comparing one band with the saved others would refuse a valid reshuffle.
    checked_with_siblings = False

    def __str__(self) -> str:
        return f"{self.min_score}–{self.max_score}: {self.get_level_display()}"

    def clean(self) -> None:
        if self.min_score is None or self.max_score is None or not self.instrument_id:
            return
        if self.min_score > self.max_score:
            raise ValidationError({"max_score": _("The highest score must not be below the lowest score.")})
        if self.domain_id and self.domain.instrument_id != self.instrument_id:
            raise ValidationError({"domain": _("The domain belongs to another instrument.")})
        if self.checked_with_siblings:
            return
        overlapping = (
            ScoringBand.objects.filter(
                instrument_id=self.instrument_id,
                domain_id=self.domain_id,
                min_score__lte=self.max_score,
                max_score__gte=self.min_score,
            )
            .exclude(pk=self.pk)
            .first()
        )
        if overlapping:
            raise ValidationError(
                _("This band overlaps the band %(band)s.") % {"band": str(overlapping)}
            )


class Assessment(models.Model):
    """One completed screening or assessment of a person: answers, total score, level and when to reassess."""

    inmate = models.ForeignKey(Inmate, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("inmate"))
    instrument = models.ForeignKey(
        AssessmentInstrument, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("instrument")
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("assessor"),
    )
    assessed_on = models.DateField(_("assessed on"))
    total_score = models.IntegerField(_("total score"))
    level = models.CharField(_("level"), max_length=10, choices=AssessmentLevel.choices)
    reassessment_due = models.DateField(_("reassessment due"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(reassessment_due__gte=F("assessed_on")), name="assessment_reassessment_after_assessment"
            ),
        ]
        indexes = [models.Index(fields=["inmate", "instrument", "-assessed_on"])]

    def __str__(self) -> str:
        return f"{self.instrument.name} — {self.assessed_on}"

    @property
    def is_overdue(self) -> bool:
        return self.reassessment_due < timezone.localdate()


class AssessmentAnswer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers", verbose_name=_("assessment"))
    item = models.ForeignKey(AssessmentItem, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item"))
    option = models.ForeignKey(AnswerOption, on_delete=models.PROTECT, related_name="answers", verbose_name=_("answer"))
    # Copied from the option so a later change of the scale does not rewrite past scores.
    score = models.IntegerField(_("score"))

    class Meta:
        ordering = ["assessment", "item__domain__order", "item__order", "id"]
        verbose_name = _("assessment answer")
        verbose_name_plural = _("assessment answers")
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="assessmentanswer_one_per_item")]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.option.label}"

    def clean(self) -> None:
        if self.item_id and self.option_id and self.option.scale_id != self.item.scale_id:
            raise ValidationError({"option": _("This answer is not on the item's scale.")})


class SensitiveRead(models.Model):
    """Who read which sensitive record (an assessment, a plan) and when. Written by inmates.services."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sensitive_reads", verbose_name=_("user")
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    inmate = models.ForeignKey(
        Inmate, on_delete=models.CASCADE, related_name="sensitive_reads", verbose_name=_("inmate")
    )
    record_type = models.CharField(_("record type"), max_length=30)
    record_id = models.PositiveBigIntegerField(_("record id"))
    path = models.CharField(_("path"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("sensitive read")
        verbose_name_plural = _("sensitive reads")
        indexes = [models.Index(fields=["record_type", "record_id"]), models.Index(fields=["inmate", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.record_type} #{self.record_id}"


class RehabilitationPlan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    inmate = models.ForeignKey(Inmate, on_delete=models.CASCADE, related_name="plans", verbose_name=_("inmate"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField(_("started on"))
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    next_review_on = models.DateField(_("next review on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["inmate", "-started_on", "-id"]
        verbose_name = _("rehabilitation plan")
        verbose_name_plural = _("rehabilitation plans")
        constraints = [
            models.UniqueConstraint(
                fields=["inmate"], condition=Q(status="active"), name="rehabilitationplan_one_active_per_inmate"
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Rehabilitation plan')} {self.started_on}"

    @property
    def is_review_overdue(self) -> bool:
        return self.next_review_on is not None and self.next_review_on < timezone.localdate()


class PlanGoal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACHIEVED = "achieved", _("Achieved")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(RehabilitationPlan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300)
    need_area = models.CharField(_("need area"), max_length=20, choices=NeedArea.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = _("plan goal")
        verbose_name_plural = _("plan goals")

    def __str__(self) -> str:
        return self.title


class PlanStep(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="steps", verbose_name=_("goal"))
    description = models.CharField(_("description"), max_length=500)
    owner = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_steps",
        verbose_name=_("owner"),
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["goal", "target_date", "id"]
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")

    def __str__(self) -> str:
        return self.description

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.target_date is not None
            and self.target_date < timezone.localdate()
        )

    def clean(self) -> None:
        if self.status == self.Status.DONE and not self.done_on:
            raise ValidationError({"done_on": _("Say when the step was done.")})


class PlanIntervention(models.Model):
    """A course, a cohort or an enrolment the plan relies on (programs' models, referenced by name: layering)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(
        RehabilitationPlan, on_delete=models.CASCADE, related_name="interventions", verbose_name=_("plan")
    )
    goal = models.ForeignKey(
        PlanGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="interventions",
        verbose_name=_("goal"),
    )
    course = models.ForeignKey(
        "programs.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="plan_interventions",
        verbose_name=_("course"),
    )
    cohort = models.ForeignKey(
        "programs.Cohort", on_delete=models.PROTECT, null=True, blank=True, related_name="plan_interventions",
        verbose_name=_("cohort"),
    )
    enrolment = models.ForeignKey(
        "programs.Enrolment", on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_interventions",
        verbose_name=_("enrolment"),
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("plan intervention")
        verbose_name_plural = _("plan interventions")

    def __str__(self) -> str:
        return self.description or str(self.cohort or self.course or _("Intervention"))

    def clean(self) -> None:
        if self.goal_id and self.plan_id and self.goal.plan_id != self.plan_id:
            raise ValidationError({"goal": _("The goal belongs to another plan.")})
        if not (self.course_id or self.cohort_id or self.enrolment_id or self.description):
            raise ValidationError(_("Name a course, a group or describe the intervention."))


class PlanReview(models.Model):
    class Outcome(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        PARTLY = "partly", _("Partly on track")
        OFF_TRACK = "off_track", _("Off track")

    plan = models.ForeignKey(RehabilitationPlan, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("plan"))
    reviewed_on = models.DateField(_("reviewed on"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("reviewer"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    next_review_on = models.DateField(_("next review on"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "-reviewed_on", "-id"]
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")

    def __str__(self) -> str:
        return f"{self.reviewed_on} {self.get_outcome_display()}"


class ReleaseTask(models.Model):
    """One item of the pre-release checklist (settings.PRE_RELEASE_MONTHS before the expected release)."""

    class Kind(models.TextChoices):
        IDENTITY_DOCUMENTS = "identity_documents", _("Identity documents")
        ACCOMMODATION = "accommodation", _("Accommodation")
        EMPLOYMENT = "employment", _("Employment or training contacts")
        FAMILY_CONTACT = "family_contact", _("Family contact")
        PROBATION_REFERRAL = "probation_referral", _("Probation referral")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    inmate = models.ForeignKey(Inmate, on_delete=models.CASCADE, related_name="release_tasks", verbose_name=_("inmate"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    owner = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="release_tasks",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("note"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        ordering = ["inmate", "due_date", "kind"]
        verbose_name = _("release task")
        verbose_name_plural = _("release tasks")
        constraints = [models.UniqueConstraint(fields=["inmate", "kind"], name="releasetask_one_per_kind")]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.NOT_APPLICABLE)


# Organisations a released person can be referred to.
REFERRAL_KINDS = (Organisation.Kind.PROBATION, Organisation.Kind.MINISTRY, Organisation.Kind.NGO)


class Referral(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        CLOSED = "closed", _("Closed")

    inmate = models.ForeignKey(Inmate, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("inmate"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals",
        limit_choices_to={"kind__in": REFERRAL_KINDS},
        verbose_name=_("referred to"),
    )
    referred_on = models.DateField(_("referred on"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("referred by"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-referred_on", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.organisation} {self.referred_on}"

    def clean(self) -> None:
        if self.organisation_id and self.organisation.kind not in REFERRAL_KINDS:
            raise ValidationError(
                {"organisation": _("Refer to the probation service, a ministry or an NGO.")}
            )


class FollowUp(models.Model):
    class Month(models.IntegerChoices):
        ONE = 1, _("1 month")
        THREE = 3, _("3 months")
        SIX = 6, _("6 months")
        TWELVE = 12, _("12 months")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("referral"))
    month = models.PositiveSmallIntegerField(_("month"), choices=Month.choices)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    # Outcomes stay unknown (null) until the follow-up is recorded.
    employed = models.BooleanField(_("employed"), null=True, blank=True)
    in_training = models.BooleanField(_("in training"), null=True, blank=True)
    housed = models.BooleanField(_("housed"), null=True, blank=True)
    contact_kept = models.BooleanField(_("contact kept"), null=True, blank=True)
    returned_to_custody = models.BooleanField(_("returned to custody"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["referral", "month"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["referral", "month"], name="followup_one_per_month"),
            models.CheckConstraint(condition=Q(month__in=[1, 3, 6, 12]), name="followup_month_1_3_6_12"),
        ]

    def __str__(self) -> str:
        return str(self.get_month_display())

    @property
    def is_overdue(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()
