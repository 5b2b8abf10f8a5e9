"""Screens for people in custody: the searchable list, a person's record, importing from a file, and the
assessments of casework (case managers and directors of the person's facility, administrators; never trainers)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inmates.casework_selectors import CASEWORK_ROLES, casework_inmates_for
from inmates.filters import ENROLLED, InmateFilter
from inmates.forms import IMPORT_COLUMNS, AssessmentForm, InmateImportForm
from inmates.models import AssessmentAnswer, AssessmentInstrument, Inmate
from inmates.selectors import (
    DUE_WITHIN_DAYS,
    INMATE_RECORD_ROLES,
    assessments_due,
    assessments_for,
    inmates_for,
    inmates_never_assessed,
)
from inmates.services import assessment_create, inmates_import, sensitive_read_record
from rehab.links import url_by_pk
from rehab.models import Gender, Role
from rehab.paging import Paginator
from rehab.permissions import role_required
from rehab.scoping import facilities_for, has_role

PAGE_SIZE = 50
# What the list shows of each person (their facility's name is annotated).
LIST_FIELDS = ("registration_number", "first_name", "last_name", "status", "gender", "expected_release_date")
IMPORT_ROLES = (Role.DIRECTOR, Role.SYSTEM_ADMINISTRATOR)
# Who may open a cohort's page from a person's training history (programs' cohort managers).
COHORT_MANAGER_ROLES = (Role.DIRECTOR, Role.PROGRAMME_OFFICER, Role.SYSTEM_ADMINISTRATOR)
# Attendance that counts as attending, and the sessions that count at all (programs' vocabulary; that app sits
# above this one, so its rows are reached through reverse relations).
ATTENDED = ("present", "late")
HELD = "held"


@role_required(*INMATE_RECORD_ROLES)
def inmate_list(request: HttpRequest) -> HttpResponse:
    queryset = (
        inmates_for(request.user)
        .only(*LIST_FIELDS)
        .annotate(facility_name=F("current_facility__name"))
        .order_by("last_name", "first_name", "pk")
    )
    inmate_filter = InmateFilter(request.GET, queryset=queryset, request=request)
    # The programmes of the page's people only, one indexed subquery a row (the count leaves it out): joined
    # and grouped, every match's enrolments were read.
    page = Paginator(inmate_filter.qs.annotate(programmes=_programmes_now()), PAGE_SIZE).get_page(request.GET.get("page"))
    # Labels translated and the profile URL reversed once for the page, not for every row (get_status_display()
    # rebuilds the choices at each call).
    statuses = {value: str(label) for value, label in Inmate.Status.choices}
    genders = {value: str(label) for value, label in Gender.choices}
    profile = url_by_pk("inmates:detail")
    for inmate in page:
        inmate.status_label, inmate.gender_label = statuses.get(inmate.status, inmate.status), genders.get(inmate.gender, inmate.gender)
        inmate.url = profile(inmate.pk)
    context = {"filter": inmate_filter, "page": page, "can_import": has_role(request.user, *IMPORT_ROLES)}
    return render(request, "inmates/list.html", context)


def _programmes_now() -> Coalesce:
    """How many cohorts a person is enrolled in now, as an expression on an Inmate queryset."""
    # Enrolment belongs to programs, a layer above: reached through the reverse relation, not imported.
    enrolment = Inmate.enrolments.field.model
    enrolled = (
        enrolment.objects.filter(inmate=OuterRef("pk"), status=ENROLLED)
        .order_by()
        .values("inmate")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(enrolled), 0)


@role_required(*INMATE_RECORD_ROLES)
def inmate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inmate = get_object_or_404(inmates_for(request.user).select_related("current_facility", "prison_service"), pk=pk)
    training = (
        inmate.enrolments.select_related("cohort__course", "cohort__facility")
        .annotate(
            recorded=Count("attendance", filter=Q(attendance__session__status=HELD)),
            attended=Count("attendance", filter=Q(attendance__session__status=HELD, attendance__status__in=ATTENDED)),
        )
        .order_by("-cohort__start_date", "-requested_at")
    )
    context = {
        "inmate": inmate,
        "custody_events": inmate.custody_events.select_related("from_facility", "to_facility").order_by("date", "pk"),
        "training": [
            (enrolment, round(100 * enrolment.attended / enrolment.recorded) if enrolment.recorded else None)
            for enrolment in training
        ],
        "can_manage": has_role(request.user, *COHORT_MANAGER_ROLES),
        **_casework_context(request, inmate),
    }
    return render(request, "inmates/detail.html", context)


def _casework_context(request: HttpRequest, inmate: Inmate) -> dict:
    """The profile's Casework section, for the person's case managers and directors (and administrators) only.

    Trainers never reach the profile at all; programme officers see the profile without casework.
    """
    if not (
        has_role(request.user, *CASEWORK_ROLES) and casework_inmates_for(request.user).filter(pk=inmate.pk).exists()
    ):
        return {"casework": False}
    try:
        # The movements screen belongs to programs (a layer above); the profile links to it when installed.
        movement_url = reverse("programs:inmate_movement", args=[inmate.pk])
    except NoReverseMatch:
        movement_url = None
    return {
        "casework": True,
        "assessments": inmate.assessments.select_related("instrument", "assessor").order_by("-assessed_on", "-pk"),
        "instruments": AssessmentInstrument.objects.filter(is_active=True).order_by("kind", "name"),
        "movement_url": movement_url,
        "today": timezone.localdate(),
    }


@role_required(*CASEWORK_ROLES)
def assessment_create_view(request: HttpRequest, pk: int, instrument: str) -> HttpResponse:
    inmate = get_object_or_404(casework_inmates_for(request.user).select_related("current_facility"), pk=pk)
    instrument = get_object_or_404(AssessmentInstrument, code=instrument, is_active=True)
    form = AssessmentForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = assessment_create(
                inmate=inmate,
                instrument=instrument,
                answers=form.answers(),
                assessed_on=form.cleaned_data["assessed_on"],
                by=request.user,
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Assessment saved: %(level)s (score %(score)d).")
                % {"level": assessment.get_level_display(), "score": assessment.total_score},
            )
            return redirect("inmates:assessment_detail", pk=assessment.pk)
    return render(request, "inmates/assessment_form.html", {"inmate": inmate, "instrument": instrument, "form": form})


@role_required(*CASEWORK_ROLES)
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(
        assessments_for(request.user)
        .select_related("inmate", "instrument", "assessor")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=AssessmentAnswer.objects.select_related("item__domain", "option").order_by(
                    "item__domain__order", "item__order", "pk"
                ),
            )
        ),
        pk=pk,
    )
    sensitive_read_record(
        user=request.user, inmate=assessment.inmate, record_type="assessment", record_id=assessment.pk,
        path=request.path,
    )
    domains: dict = {}
    for answer in assessment.answers.all():
        domains.setdefault(answer.item.domain, []).append(answer)
    context = {
        "assessment": assessment,
        "inmate": assessment.inmate,
        "domains": [(domain, answers, sum(answer.score for answer in answers)) for domain, answers in domains.items()],
        "band": assessment.instrument.bands.filter(domain__isnull=True, level=assessment.level).first(),
    }
    return render(request, "inmates/assessment_detail.html", context)


@role_required(*CASEWORK_ROLES)
def assessments_due_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "due": assessments_due(request.user, today=today),
        "never": inmates_never_assessed(request.user),
        "today": today,
        "within_days": DUE_WITHIN_DAYS,
    }
    return render(request, "inmates/assessments_due.html", context)


@role_required(*IMPORT_ROLES)
def inmate_import(request: HttpRequest) -> HttpResponse:
    facilities = facilities_for(request.user, *IMPORT_ROLES).order_by("name")
    errors: list[str] = []
    form = InmateImportForm(request.POST or None, request.FILES or None, facilities=facilities)
    if request.method == "POST" and form.is_valid():
        facility = form.cleaned_data["facility"]
        result = inmates_import(facility=facility, rows=form.cleaned_data["file"], by=request.user)
        if result.ok:
            messages.success(
                request,
                ngettext(
                    "%(count)d person was imported into %(facility)s.",
                    "%(count)d people were imported into %(facility)s.",
                    result.created,
                )
                % {"count": result.created, "facility": facility.name},
            )
            return redirect(f"{reverse('inmates:list')}?facility={facility.pk}")
        errors = result.errors
        messages.error(request, _("Nothing was imported: correct the rows below and upload the file again."))
    return render(request, "inmates/import.html", {"form": form, "errors": errors, "columns": IMPORT_COLUMNS})
