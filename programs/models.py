"""What is delivered: courses, cohorts, schedules, sessions, enrolments and attendance."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from inmates.models import Inmate
from rehab.models import Facility, Organisation, Room, StaffMember


class Course(models.Model):
    class Kind(models.TextChoices):
        VOCATIONAL = "vocational", _("Vocational")
        IT = "it", _("IT")
        CRAFTS = "crafts", _("Crafts")
        OCCUPATIONAL_THERAPY = "occupational_therapy", _("Occupational therapy")
        PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
        STAFF_TRAINING = "staff_training", _("Staff training")

    class Audience(models.TextChoices):
        INMATES = "inmates", _("Inmates")
        STAFF = "staff", _("Staff")
        MIXED = "mixed", _("Inmates and staff")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    # Titles in other languages, keyed by language code ("sq", "sr", "sr-latn", "mk", "bs").
    title_translations = models.JSONField(_("title in other languages"), default=dict, blank=True)
    language = models.CharField(_("language of instruction"), max_length=10, choices=settings.LANGUAGES, default="en")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.INMATES)
    description = models.TextField(_("description"), blank=True)
    planned_hours = models.PositiveIntegerField(_("planned hours"))
    min_attendance_percent = models.PositiveSmallIntegerField(_("minimum attendance %"), default=80)
    final_assessment_required = models.BooleanField(_("final assessment required"), default=False)
    issuer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certified_courses",
        limit_choices_to={"kind": Organisation.Kind.TRAINING_CENTRE},
        verbose_name=_("certifying issuer"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_attendance_percent__lte=100), name="course_min_attendance_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.localized_title

    def title_in(self, language: str) -> str:
        return self.title_translations.get(language) or self.title

    @property
    def localized_title(self) -> str:
        return self.title_in(get_language() or "en")


class Cohort(models.Model):
    """One run of a course in a facility: a group with its room, capacity, dates and trainers."""

    class DeliveryMode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("course"))
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("facility"))
    name = models.CharField(_("name"), max_length=150)
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="cohorts", verbose_name=_("room")
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty to use the room's capacity.")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    delivery_mode = models.CharField(
        _("delivery mode"), max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.IN_PERSON
    )
    meeting_link = models.URLField(_("meeting link"), blank=True)
    trainers = models.ManyToManyField(StaffMember, blank=True, related_name="cohorts_delivered", verbose_name=_("trainers"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="cohort_end_after_start"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=False) | Q(room__isnull=False), name="cohort_has_capacity_or_room"
            ),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(capacity__gt=0), name="cohort_capacity_positive"),
            models.UniqueConstraint(fields=["facility", "name"], name="cohort_unique_name_per_facility"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def seat_limit(self) -> int:
        """The hard capacity: the cohort's own, or the room's when none is set."""
        return self.capacity if self.capacity is not None else self.room.capacity

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The cohort must end on or after its start date.")
        if self.capacity is None and not self.room_id:
            errors["capacity"] = _("Set a capacity or choose a room.")
        if self.room_id and self.facility_id and self.room.facility_id != self.facility_id:
            errors["room"] = _("The room is in another facility.")
        if self.delivery_mode != self.DeliveryMode.IN_PERSON and not self.meeting_link:
            errors["meeting_link"] = _("Online and hybrid cohorts need a meeting link.")
        if errors:
            raise ValidationError(errors)


class WeeklySlot(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="weekly_slots", verbose_name=_("cohort"))
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))

    class Meta:
        ordering = ["cohort", "weekday", "start_time"]
        verbose_name = _("weekly slot")
        verbose_name_plural = _("weekly slots")
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="weeklyslot_end_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weeklyslot_weekday_valid"),
            models.UniqueConstraint(fields=["cohort", "weekday", "start_time"], name="weeklyslot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class Session(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("cohort"))
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancellation_reason = models.CharField(_("reason for cancellation"), max_length=300, blank=True)
    topics_covered = models.TextField(_("topics covered"), blank=True)
    register_taken_at = models.DateTimeField(_("register taken at"), null=True, blank=True)
    register_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["date", "start_time"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "date", "start_time"], name="session_unique_start"),
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="session_end_after_start"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancellation_reason=""),
                name="session_cancelled_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["date", "status"])]

    def __str__(self) -> str:
        return f"{self.cohort} {self.date} {self.start_time:%H:%M}"

    @property
    def duration_hours(self) -> float:
        start = self.start_time.hour * 60 + self.start_time.minute
        end = self.end_time.hour * 60 + self.end_time.minute
        return (end - start) / 60


class Enrolment(models.Model):
    """An inmate or a staff member in a cohort, with the history of its status."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        WAITLISTED = "waitlisted", _("Waitlisted")
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        TRANSFERRED = "transferred", _("Transferred")
        RELEASED = "released", _("Released")

    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        NOT_PASSED = "not_passed", _("Not passed")

    # Statuses that hold a seat in the cohort.
    SEATED = (Status.ENROLLED, Status.COMPLETED)

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("cohort"))
    inmate = models.ForeignKey(
        Inmate, on_delete=models.PROTECT, null=True, blank=True, related_name="enrolments", verbose_name=_("inmate")
    )
    staff_member = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("staff member"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    final_result = models.CharField(_("final assessment"), max_length=12, choices=Result.choices, blank=True)
    final_score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    final_note = models.TextField(_("assessment note"), blank=True)

    class Meta:
        ordering = ["cohort", "requested_at", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(inmate__isnull=False, staff_member__isnull=True) | Q(inmate__isnull=True, staff_member__isnull=False)),
                name="enrolment_exactly_one_person",
            ),
            models.UniqueConstraint(
                fields=["cohort", "inmate"], condition=Q(inmate__isnull=False), name="enrolment_unique_inmate_per_cohort"
            ),
            models.UniqueConstraint(
                fields=["cohort", "staff_member"],
                condition=Q(staff_member__isnull=False),
                name="enrolment_unique_staff_per_cohort",
            ),
        ]
        indexes = [models.Index(fields=["cohort", "status"])]

    def __str__(self) -> str:
        return f"{self.participant_name} — {self.cohort}"

    @property
    def participant(self) -> Inmate | StaffMember:
        return self.inmate if self.inmate_id else self.staff_member

    @property
    def participant_name(self) -> str:
        return self.participant.full_name


class EnrolmentStatusChange(models.Model):
    """History of an enrolment: every status change with who, when and why."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=12, choices=Enrolment.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Enrolment.Status.choices)
    reason = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enrolment", "changed_at", "id"]
        verbose_name = _("enrolment status change")
        verbose_name_plural = _("enrolment status changes")

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    class Reason(models.TextChoices):
        SICK = "sick", _("Sick")
        MEDICAL = "medical", _("Medical appointment")
        COURT = "court", _("Court hearing")
        LOCKDOWN = "lockdown", _("Lockdown")
        TRANSFER = "transfer", _("Transfer")
        VISIT = "visit", _("Visit")
        REFUSED = "refused", _("Refused")
        WORK_CLASH = "work_clash", _("Work clash")
        CONNECTION = "connection", _("Connection problem")
        OTHER = "other", _("Other")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session"))
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("enrolment"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["session", "enrolment"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_unique_per_session"),
            models.CheckConstraint(
                condition=Q(status__in=["present", "late"]) | ~Q(reason="") | Q(status="absent"),
                name="attendance_excused_has_reason",
            ),
            models.CheckConstraint(condition=~Q(reason="other") | ~Q(note=""), name="attendance_other_has_note"),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.enrolment.participant_name}: {self.get_status_display()}"


class CourseRequest(models.Model):
    """A person's wish to attend a course, recorded before (or without) any particular group.

    A director hears "Arta asked for filigree" long before the next filigree group exists, so a request names
    the course, not a cohort. Open requests for a course form its waitlist in the order they were made; the
    waitlist of a cohort is the open requests for its course in its facility (plus anyone placed on that
    cohort's own waitlist when it was full). Enrolling a person from the waitlist creates their Enrolment and
    marks the request placed, keeping a link to it; the request row itself is never deleted, so the date a
    person first asked survives every later move.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        PLACED = "placed", _("Placed in a group")
        CANCELLED = "cancelled", _("Cancelled")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="requests", verbose_name=_("course"))
    # Where the person will attend: an inmate's facility when the request was recorded, or, for staff, the
    # facility whose group they would join. Scope (who may see the request) follows it.
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="course_requests", verbose_name=_("facility")
    )
    inmate = models.ForeignKey(
        Inmate, on_delete=models.PROTECT, null=True, blank=True, related_name="course_requests", verbose_name=_("inmate")
    )
    staff_member = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="course_requests",
        verbose_name=_("staff member"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    enrolment = models.OneToOneField(
        Enrolment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="course_request",
        verbose_name=_("enrolment"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("course request")
        verbose_name_plural = _("course requests")
        constraints = [
            models.CheckConstraint(
                condition=(Q(inmate__isnull=False, staff_member__isnull=True) | Q(inmate__isnull=True, staff_member__isnull=False)),
                name="courserequest_exactly_one_person",
            ),
            models.UniqueConstraint(
                fields=["course", "inmate"],
                condition=Q(status="open", inmate__isnull=False),
                name="courserequest_one_open_per_inmate",
                violation_error_message=_("This person is already waiting for this course."),
            ),
            models.UniqueConstraint(
                fields=["course", "staff_member"],
                condition=Q(status="open", staff_member__isnull=False),
                name="courserequest_one_open_per_staff",
                violation_error_message=_("This person is already waiting for this course."),
            ),
        ]
        indexes = [models.Index(fields=["course", "facility", "status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.participant_name} — {self.course}"

    @property
    def participant(self) -> Inmate | StaffMember:
        return self.inmate if self.inmate_id else self.staff_member

    @property
    def participant_name(self) -> str:
        return self.participant.full_name
