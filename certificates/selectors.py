"""Reads for certificate screens, narrowed to what a user may see, and the eligibility rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from certificates.models import Certificate, CertificateTemplate, EligibilityOverride, IssuanceBatch, Issuer, PrintPack
from programs.models import Attendance, Cohort, Enrolment, Session
from programs.selectors import cohorts_for
from rehab.models import Organisation, Role
from rehab.scoping import organisations_for, roles_of

User = AbstractBaseUser | AnonymousUser


# ------------------------------------------------------------------------------------------------ scope


def is_certificate_admin(user: User) -> bool:
    return Role.SYSTEM_ADMINISTRATOR in roles_of(user)


def issuing_organisations_for(*, user: User) -> QuerySet[Organisation]:
    """Training centres whose certificates the user manages: a registrar's own; all of them for administrators."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if is_certificate_admin(user):
        return Organisation.objects.filter(kind=Organisation.Kind.TRAINING_CENTRE)
    return organisations_for(user, Role.REGISTRAR).filter(kind=Organisation.Kind.TRAINING_CENTRE)


def issuers_for(*, user: User) -> QuerySet[Issuer]:
    return Issuer.objects.filter(organisation__in=issuing_organisations_for(user=user)).select_related("organisation")


def certifiable_cohorts_for(*, user: User) -> QuerySet[Cohort]:
    """Cohorts of courses certified by a training centre the user manages."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    cohorts = Cohort.objects.all() if is_certificate_admin(user) else cohorts_for(user=user)
    return cohorts.filter(course__issuer__in=issuing_organisations_for(user=user))


def certificates_for(*, user: User) -> QuerySet[Certificate]:
    """Certificates (and so their PDFs) the user may see: those of the issuers they manage."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    return Certificate.objects.filter(issuer__organisation__in=issuing_organisations_for(user=user))


def batches_for(*, user: User) -> QuerySet[IssuanceBatch]:
    if not user.is_authenticated:
        return IssuanceBatch.objects.none()
    return IssuanceBatch.objects.filter(issuer__organisation__in=issuing_organisations_for(user=user))


def print_packs_for(*, user: User) -> QuerySet[PrintPack]:
    return PrintPack.objects.filter(cohort__in=certifiable_cohorts_for(user=user))


def templates_for(*, user: User) -> QuerySet[CertificateTemplate]:
    return CertificateTemplate.objects.filter(issuer__in=issuers_for(user=user))


def latest_template(*, issuer: Issuer) -> CertificateTemplate | None:
    return issuer.templates.order_by("-version").first()


def certifiable_cohort_list(*, user: User) -> QuerySet[Cohort]:
    """The registrar's list of cohorts, with the counts the list shows, in a fixed number of queries."""
    live = Q(enrolments__certificates__status__in=Certificate.LIVE)
    return (
        certifiable_cohorts_for(user=user)
        .select_related("course__issuer", "facility")
        .annotate(
            completed_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.COMPLETED), distinct=True),
            certificate_count=Count("enrolments__certificates", filter=live, distinct=True),
        )
        .order_by("-end_date", "name")
    )


# ------------------------------------------------------------------------------------------------ eligibility


def enrolment_attendance_rate(*, enrolment: Enrolment) -> Decimal | None:
    """Percentage of held sessions the person attended (present or late); cancelled sessions do not count.
    None when no session has been held."""
    held = Session.objects.filter(cohort_id=enrolment.cohort_id, status=Session.Status.HELD).count()
    attended = Attendance.objects.filter(
        enrolment=enrolment,
        session__status=Session.Status.HELD,
        status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE],
    ).count()
    return _rate(attended, held)


def _rate(attended: int, held: int) -> Decimal | None:
    if not held:
        return None
    return (Decimal(100) * attended / held).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Eligibility:
    """Whether one enrolment may get a certificate now, and why not."""

    enrolment: Enrolment
    attendance_rate: Decimal | None
    held_sessions: int
    attended_sessions: int
    reasons: list[str] = field(default_factory=list)
    live_certificate: Certificate | None = None
    override: EligibilityOverride | None = None
    revoked: bool = False

    @property
    def meets_rules(self) -> bool:
        return not self.reasons

    @property
    def eligible(self) -> bool:
        """Meets the rules, or a registrar has overridden them with a reason."""
        return self.meets_rules or self.override is not None

    @property
    def can_issue(self) -> bool:
        return self.eligible and self.live_certificate is None


def _reasons(enrolment: Enrolment, rate: Decimal | None, revoked: bool) -> list[str]:
    course = enrolment.cohort.course
    reasons = []
    if enrolment.status != Enrolment.Status.COMPLETED:
        reasons.append(_("Not completed (status: %(status)s).") % {"status": enrolment.get_status_display()})
    if rate is None:
        reasons.append(_("No session of this cohort has been held."))
    elif rate < course.min_attendance_percent:
        reasons.append(
            _("Attended %(rate)s%% of held sessions; %(minimum)s%% needed.")
            % {"rate": rate, "minimum": course.min_attendance_percent}
        )
    if course.final_assessment_required:
        if not enrolment.final_result:
            reasons.append(_("No final assessment recorded."))
        elif enrolment.final_result != Enrolment.Result.PASSED:
            reasons.append(_("Final assessment not passed."))
    if revoked:
        reasons.append(_("A certificate for this enrolment was revoked."))
    return reasons


def cohort_eligibility(*, cohort: Cohort, enrolment_ids: Iterable[int] | None = None) -> list[Eligibility]:
    """Eligibility of every enrolment in the cohort (or of those named), in a fixed number of queries."""
    held = Session.objects.filter(cohort=cohort, status=Session.Status.HELD).count()
    attended = Q(
        attendance__session__status=Session.Status.HELD,
        attendance__status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE],
    )
    enrolments = (
        Enrolment.objects.filter(cohort=cohort)
        .exclude(status__in=[Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED])
        .select_related("cohort__course", "inmate", "staff_member")
        .annotate(
            attended=Count("attendance", filter=attended),
            has_revoked=Exists(
                Certificate.objects.filter(enrolment=OuterRef("pk"), status=Certificate.Status.REVOKED)
            ),
        )
        .prefetch_related(
            Prefetch(
                "certificates",
                queryset=Certificate.objects.filter(status__in=Certificate.LIVE).order_by("-id"),
                to_attr="live_certificates",
            ),
            Prefetch(
                "certificate_overrides",
                queryset=EligibilityOverride.objects.select_related("created_by").order_by("-created_at", "-id"),
                to_attr="overrides",
            ),
        )
        .order_by("inmate__last_name", "inmate__first_name", "staff_member__last_name", "pk")
    )
    if enrolment_ids is not None:
        enrolments = enrolments.filter(pk__in=list(enrolment_ids))
    rows = []
    for enrolment in enrolments:
        rate = _rate(enrolment.attended, held)
        rows.append(
            Eligibility(
                enrolment=enrolment,
                attendance_rate=rate,
                held_sessions=held,
                attended_sessions=enrolment.attended,
                reasons=_reasons(enrolment, rate, enrolment.has_revoked),
                live_certificate=enrolment.live_certificates[0] if enrolment.live_certificates else None,
                override=enrolment.overrides[0] if enrolment.overrides else None,
                revoked=enrolment.has_revoked,
            )
        )
    return rows


def enrolment_eligibility(*, enrolment: Enrolment) -> Eligibility:
    (row,) = cohort_eligibility(cohort=enrolment.cohort, enrolment_ids=[enrolment.pk]) or (None,)
    if row is None:  # a request or a waitlist place: never eligible
        rate = enrolment_attendance_rate(enrolment=enrolment)
        held = Session.objects.filter(cohort_id=enrolment.cohort_id, status=Session.Status.HELD).count()
        return Eligibility(
            enrolment=enrolment, attendance_rate=rate, held_sessions=held, attended_sessions=0,
            reasons=_reasons(enrolment, rate, revoked=False),
        )
    return row


# ------------------------------------------------------------------------------------------------ progress


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    failed: int
    pending: int
    waiting: int = 0  # pending and not yet handed to the broker (it was unreachable)

    @property
    def finished(self) -> bool:
        return self.pending == 0

    @property
    def done_percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def failed_percent(self) -> int:
        return round(100 * self.failed / self.total) if self.total else 0

    # Bar widths in steps of 5 %, as CSS classes (no inline styles, which a content security policy forbids).
    @property
    def done_step(self) -> int:
        return 5 * round(self.done_percent / 5)

    @property
    def failed_step(self) -> int:
        return min(100 - self.done_step, 5 * round(self.failed_percent / 5))


def batch_progress(*, batch: IssuanceBatch) -> Progress:
    counts = batch.certificates.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(rendered_at__isnull=False) & ~Q(status=Certificate.Status.FAILED)),
        failed=Count("pk", filter=Q(status=Certificate.Status.FAILED)),
        pending=Count("pk", filter=Q(status=Certificate.Status.PENDING)),
        waiting=Count("pk", filter=Q(status=Certificate.Status.PENDING, queued_at__isnull=True)),
    )
    return Progress(**counts)
