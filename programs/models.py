"""What is delivered: courses, cohorts, schedules, sessions, enrolments and attendance."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from inmates.models import Inmate
from rehab.models import Country, Facility, Organisation, Room, StaffMember
from rehab.refdata import ReferenceQuerySet


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
    # Completing this course always lets an inmate be a peer educator in it; these other courses do too
    # (e.g. a general peer-educator course qualifies for several workshops).
    peer_educator_courses = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name=_("other courses that qualify peer educators"),
    )

    objects = ReferenceQuerySet.as_manager()  # keeps the processes' copies current (rehab.refdata)

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


class CourseModule(models.Model):
    """A part of a course (the anger-management programme has four); sessions are tagged with one."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules", verbose_name=_("course"))
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)
    planned_hours = models.PositiveIntegerField(_("planned hours"), null=True, blank=True)

    class Meta:
        ordering = ["course", "order"]
        verbose_name = _("course module")
        verbose_name_plural = _("course modules")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "order"],
                name="coursemodule_unique_order",
                violation_error_message=_("This course already has a module in this position."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class FundingAction(models.Model):
    """A funded action (e.g. an EU / Council of Europe project) that pays for cohorts and donations."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=250)
    donor = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="funded_actions",
        limit_choices_to={"kind": Organisation.Kind.DONOR},
        verbose_name=_("donor"),
    )
    implementing_partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="implemented_actions",
        verbose_name=_("implementing partner"),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("funding action")
        verbose_name_plural = _("funding actions")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="fundingaction_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The action must end on or after its start date.")
        if self.donor_id and self.donor.kind != Organisation.Kind.DONOR:
            errors["donor"] = _("Choose a donor organisation.")
        if errors:
            raise ValidationError(errors)


class FundingActionCountry(models.Model):
    """A country an action covers (countries are choices, not rows, so the many-to-many is spelled out)."""

    funding_action = models.ForeignKey(
        FundingAction, on_delete=models.CASCADE, related_name="countries", verbose_name=_("funding action")
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)

    class Meta:
        ordering = ["funding_action", "country"]
        verbose_name = _("country of a funding action")
        verbose_name_plural = _("countries of funding actions")
        constraints = [
            models.UniqueConstraint(fields=["funding_action", "country"], name="fundingactioncountry_unique"),
        ]

    def __str__(self) -> str:
        return str(self.get_country_display())


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
    # In a cascade cohort the trainers are its facilitators (usually two staff who took the training of trainers).
    trainers = models.ManyToManyField(StaffMember, blank=True, related_name="cohorts_delivered", verbose_name=_("trainers"))
    funding_action = models.ForeignKey(
        FundingAction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cohorts",
        verbose_name=_("funding action"),
    )
    is_training_of_trainers = models.BooleanField(
        _("training of trainers"),
        default=False,
        help_text=_("Staff who complete it are qualified to deliver the course."),
    )
    cascade_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cascades",
        limit_choices_to={"is_training_of_trainers": True},
        verbose_name=_("cascade of"),
        help_text=_("The training of trainers this cohort's facilitators come from."),
    )
    mentor = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cohorts_mentored",
        verbose_name=_("supervising mentor"),
    )
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
            # One level of cascade: a training of trainers is the root of its tree.
            models.CheckConstraint(
                condition=Q(is_training_of_trainers=False) | Q(cascade_of__isnull=True),
                name="cohort_tot_is_not_a_cascade",
            ),
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
        if self.cascade_of_id:
            if self.is_training_of_trainers:
                errors["cascade_of"] = _("A training of trainers cannot itself be a cascade.")
            elif not self.cascade_of.is_training_of_trainers:
                errors["cascade_of"] = _("Choose a training of trainers.")
            elif self.course_id and self.cascade_of.course_id != self.course_id:
                errors["cascade_of"] = _("The training of trainers must be of the same course.")
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
    module = models.ForeignKey(
        CourseModule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("module"),
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


# ---------------------------------------------------------------- staff training, online delivery, peer educators


class TrainerQualification(models.Model):
    """A staff member may deliver a course: earned by completing its training of trainers (or recorded by hand)."""

    staff_member = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("staff member")
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="qualified_trainers", verbose_name=_("course")
    )
    qualified_on = models.DateField(_("qualified on"))
    source_enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qualifications",
        verbose_name=_("training of trainers enrolment"),
    )

    class Meta:
        ordering = ["course", "staff_member"]
        verbose_name = _("trainer qualification")
        verbose_name_plural = _("trainer qualifications")
        constraints = [
            models.UniqueConstraint(fields=["staff_member", "course"], name="trainerqualification_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_member} — {self.course}"


class SessionTrainer(models.Model):
    """Who delivers a session and from where: online and hybrid sessions have trainers in several cities."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="trainer_places", verbose_name=_("session"))
    staff_member = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="session_places", verbose_name=_("trainer")
    )
    joins_from = models.CharField(_("joins from (city)"), max_length=100, blank=True)
    is_remote = models.BooleanField(_("joins remotely"), default=False)

    class Meta:
        ordering = ["session", "staff_member__last_name", "staff_member__first_name"]
        verbose_name = _("session trainer")
        verbose_name_plural = _("session trainers")
        constraints = [
            models.UniqueConstraint(fields=["session", "staff_member"], name="sessiontrainer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_member} — {self.joins_from or '—'}"


class Donation(models.Model):
    """Equipment (its items) given by a donor to a facility, possibly under a funding action."""

    funding_action = models.ForeignKey(
        FundingAction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
        verbose_name=_("funding action"),
    )
    donor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="donations", verbose_name=_("donor"))
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="donations", verbose_name=_("facility"))
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")

    def __str__(self) -> str:
        return f"{self.donor} → {self.facility} ({self.date})"


class EquipmentItem(models.Model):
    """A line of a facility's inventory: what it has, how many, in what condition and where it is used."""

    class Kind(models.TextChoices):
        LAPTOP = "laptop", _("Laptop")
        TABLET = "tablet", _("Tablet")
        DESKTOP = "desktop", _("Desktop computer")
        PROJECTOR = "projector", _("Projector")
        SEWING_MACHINE = "sewing_machine", _("Sewing machine")
        TOOLS = "tools", _("Tools")
        FURNITURE = "furniture", _("Furniture")
        OTHER = "other", _("Other")

    class Condition(models.TextChoices):
        NEW = "new", _("New")
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")
        POOR = "poor", _("Poor")
        WRITTEN_OFF = "written_off", _("Written off")

    # Conditions in which an item can still be handed to participants.
    USABLE = (Condition.NEW, Condition.GOOD, Condition.FAIR)

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="equipment", verbose_name=_("facility"))
    donation = models.ForeignKey(
        Donation, on_delete=models.PROTECT, null=True, blank=True, related_name="items", verbose_name=_("donation")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_value = models.DecimalField(_("unit value"), max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    condition = models.CharField(_("condition"), max_length=12, choices=Condition.choices, default=Condition.NEW)
    room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="equipment",
        verbose_name=_("room where it is used"),
    )
    location_note = models.CharField(_("where it is used"), max_length=200, blank=True)
    received_on = models.DateField(_("received on"))

    class Meta:
        ordering = ["facility", "kind", "name"]
        verbose_name = _("equipment item")
        verbose_name_plural = _("equipment items")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="equipmentitem_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_value__isnull=True) | Q(unit_value__gte=0), name="equipmentitem_value_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["facility", "kind", "condition"])]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"

    def clean(self) -> None:
        errors = {}
        if self.room_id and self.facility_id and self.room.facility_id != self.facility_id:
            errors["room"] = _("The room is in another facility.")
        if self.donation_id and self.facility_id and self.donation.facility_id != self.facility_id:
            errors["donation"] = _("The donation went to another facility.")
        if errors:
            raise ValidationError(errors)


class EquipmentNeed(models.Model):
    """Equipment a cohort needs at every session (session empty) or at one session (e.g. tablets for a test)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="equipment_needs", verbose_name=_("cohort"))
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="equipment_needs",
        verbose_name=_("session"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EquipmentItem.Kind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["cohort", "session", "kind"]
        verbose_name = _("equipment need")
        verbose_name_plural = _("equipment needs")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="equipmentneed_quantity_positive"),
            models.UniqueConstraint(
                fields=["cohort", "session", "kind"],
                name="equipmentneed_unique_kind",
                nulls_distinct=False,
                violation_error_message=_("This equipment is already listed; change its quantity instead."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.get_kind_display()}"

    def clean(self) -> None:
        if self.session_id and self.cohort_id and self.session.cohort_id != self.cohort_id:
            raise ValidationError({"session": _("The session belongs to another cohort.")})


class PeerEducator(models.Model):
    """An inmate who completed a programme and now helps deliver it to a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="peer_educators", verbose_name=_("cohort"))
    inmate = models.ForeignKey(
        Inmate, on_delete=models.PROTECT, related_name="peer_educator_roles", verbose_name=_("inmate")
    )
    source_enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.PROTECT,
        related_name="peer_educator_roles",
        verbose_name=_("completed enrolment"),
    )
    assigned_on = models.DateField(_("assigned on"))
    active = models.BooleanField(_("active"), default=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["cohort", "inmate__last_name", "inmate__first_name"]
        verbose_name = _("peer educator")
        verbose_name_plural = _("peer educators")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "inmate"],
                name="peereducator_unique_per_cohort",
                violation_error_message=_("This person is already a peer educator in this cohort."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inmate} — {self.cohort}"
