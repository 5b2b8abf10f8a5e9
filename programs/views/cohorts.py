"""Cohort screens: the detail page, and creating or editing a cohort with a preview of its schedule."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inmates.models import Inmate
from programs.forms.cohorts import CohortForm, ConfirmForm, SlotFormSet
from programs.models import Attendance, Cohort, Course, CourseRequest, Enrolment, Session, SessionTrainer
from programs.selectors import cohorts_delivered_by, cohorts_for
from programs.services.cascades import cascade_warnings
from programs.services.clashes import cohort_schedule_clashes
from programs.services.delivery import cohort_equipment_check
from programs.services.modules import cohort_module_progress
from programs.services.peer_educators import cohort_peer_educators
from programs.services.sessions import cohort_create, cohort_schedule_change, cohort_update, schedule_plan
from rehab import refdata
from rehab.db import one_or_404
from rehab.links import url_by_pk
from rehab.models import Facility, Role
from rehab.permissions import role_required
from rehab.scoping import facilities_for, reaches_facility

# Who plans cohorts: directors and programme officers of the cohort's facility; administrators everywhere.
MANAGER_ROLES = (Role.DIRECTOR, Role.PROGRAMME_OFFICER, Role.SYSTEM_ADMINISTRATOR)


def managed_cohorts(user) -> QuerySet[Cohort]:
    """Cohorts the user may edit, enrol into and withdraw from."""
    return cohorts_for(user=user).filter(facility__in=facilities_for(user, *MANAGER_ROLES))


def viewable_cohorts(user) -> QuerySet[Cohort]:
    """Cohorts whose detail page the user may open: the managed ones and those they deliver."""
    return cohorts_for(user=user).filter(
        Q(facility__in=facilities_for(user, *MANAGER_ROLES)) | Q(pk__in=cohorts_delivered_by(user=user).values("pk"))
    )


def can_manage(user, cohort: Cohort) -> bool:
    """Whether the user manages the cohort's facility (no query when the facility and its prison service are
    selected with the cohort)."""
    return reaches_facility(user, cohort.facility, *MANAGER_ROLES)


# Sessions listed on each side of today on the cohort's sessions page: a year's course has over a hundred.
# Managers follow a link to the session list (filtered by the cohort) for the rest; trainers have their week pages.
SESSIONS_SHOWN = 10

# A cohort has three pages, as tabs under one header: its participants (the page a director or trainer opens
# most), its sessions, and its progress and delivery (modules, peer educators, equipment). Each reads only what
# it shows: on one page, the sessions, module progress and delivery checks were two thirds of its queries.


# What the roster shows of each person, and what the seat and waitlist counts are made from.
ROSTER_FIELDS = (
    "cohort_id", "status", "status_reason", "inmate__first_name", "inmate__last_name",
    "staff_member__first_name", "staff_member__last_name",
)  # fmt: skip


@role_required(*MANAGER_ROLES, Role.TRAINER)
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort, manager = _cohort_page(request, pk)
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort)
        .select_related("inmate", "staff_member")
        .only(*ROSTER_FIELDS)
        .order_by("inmate__last_name", "inmate__first_name", "staff_member__last_name", "id")
    )
    seated = [e for e in enrolments if e.status in Enrolment.SEATED]
    waiting = sum(1 for e in enrolments if e.status in (Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED))
    roster = [e for e in enrolments if e.status not in (Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED)]
    _add_enrolment_links(roster)
    context = {
        **_header_context(cohort, manager, tab="participants"),
        "roster": roster,
        "seats_taken": len(seated),
        "seats_free": max(cohort.seat_limit - len(seated), 0),
        "waitlist_count": waiting + _open_requests(cohort, enrolments),
        # Trainers see names on the roster but never open a person's record.
        "show_inmate_links": manager,
        "staff_count": sum(1 for e in seated if e.staff_member_id),
        "inmate_count": sum(1 for e in seated if e.inmate_id),
    }
    return render(request, "programs/cohorts/detail.html", context)


@role_required(*MANAGER_ROLES, Role.TRAINER)
def cohort_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    cohort, manager = _cohort_page(
        request, pk, past_session_count=_session_count(date__lt=today), future_session_count=_session_count(date__gte=today)
    )
    sessions = list(
        _shown_sessions(pk, today)
        .select_related("module")
        .annotate(has_register=Exists(Attendance.objects.filter(session=OuterRef("pk"))))
        .prefetch_related(Prefetch("trainer_places", queryset=SessionTrainer.objects.select_related("staff_member")))
        .order_by("date", "start_time")
    )
    future_sessions = [s for s in sessions if s.date >= today]
    _add_session_links(sessions)
    online = cohort.delivery_mode != Cohort.DeliveryMode.IN_PERSON
    context = {
        **_header_context(cohort, manager, tab="sessions"),
        "slots": list(cohort.weekly_slots.all()),
        "past_sessions": [s for s in sessions if s.date < today],
        "future_sessions": future_sessions,
        "past_count": cohort.past_session_count,
        "future_count": cohort.future_session_count,
        "all_sessions_url": f"{reverse('programs:session_list')}?{urlencode({'cohort': cohort.pk})}" if manager else "",
        "today": today,
        "next_session": _next_session(cohort, future_sessions) if online else None,
        "online": online,
    }
    return render(request, "programs/cohorts/sessions.html", context)


@role_required(*MANAGER_ROLES, Role.TRAINER)
def cohort_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    cohort, manager = _cohort_page(request, pk)
    seated = list(
        Enrolment.objects.filter(cohort=cohort, status__in=Enrolment.SEATED)
        .select_related("inmate", "staff_member")
        .order_by("inmate__last_name", "inmate__first_name", "staff_member__last_name", "id")
    )
    context = {
        **_header_context(cohort, manager, tab="delivery"),
        "module_progress": cohort_module_progress(cohort=cohort, enrolments=seated),
        "equipment_checks": cohort_equipment_check(cohort=cohort),
        "peer_educators": cohort_peer_educators(cohort=cohort),
        "cascade_warnings": cascade_warnings(cohort=cohort) if manager else [],
    }
    return render(request, "programs/cohorts/delivery.html", context)


# The links of a cohort's header and tabs, by URL name.
HEADER_LINKS = (
    "cohort_detail", "cohort_sessions", "cohort_delivery", "cohort_edit", "waitlist", "enrol", "cohort_staff",
    "cohort_peer_educators", "cohort_equipment", "cohort_cascade", "cohort_modules", "final_assessment",
)


def _header_context(cohort: Cohort, manager: bool, *, tab: str) -> dict:
    """What the header and the tabs of every cohort page show."""
    return {
        "cohort": cohort,
        "links": {name: url_by_pk(f"programs:{name}")(cohort.pk) for name in HEADER_LINKS},
        "trainers": list(cohort.trainers.all()),
        "can_manage": manager,
        "takes_staff": cohort.course.audience != Course.Audience.INMATES,
        "tab": tab,
    }


def _add_session_links(sessions: list[Session]) -> None:
    """Each row's links and status label, made once here rather than by a {% url %} tag and a get_..._display
    call per row (they were a third of the page's rendering)."""
    register = url_by_pk("programs:register")
    trainers = url_by_pk("programs:session_trainers")
    cancel = url_by_pk("programs:session_cancel")
    session_labels = {value: str(label) for value, label in Session.Status.choices}
    for session in sessions:
        session.register_url = register(session.pk)
        session.trainers_url = trainers(session.pk)
        session.cancel_url = cancel(session.pk)
        session.status_label = session_labels.get(session.status, session.status)


def _add_enrolment_links(enrolments: list[Enrolment]) -> None:
    """Each roster row's links and status label (as _add_session_links does for sessions)."""
    inmate = url_by_pk("inmates:detail")
    withdraw = url_by_pk("programs:enrolment_withdraw")
    enrolment_labels = {value: str(label) for value, label in Enrolment.Status.choices}
    for enrolment in enrolments:
        enrolment.inmate_url = inmate(enrolment.inmate_id) if enrolment.inmate_id else ""
        enrolment.withdraw_url = withdraw(enrolment.pk)
        enrolment.status_label = enrolment_labels.get(enrolment.status, enrolment.status)


def _session_count(**filters) -> Coalesce:
    counted = Session.objects.filter(cohort_id=OuterRef("pk"), **filters).order_by().values("cohort_id")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


def _next_session(cohort: Cohort, coming: list[Session]) -> Session | None:
    """The next session that is not cancelled, today's included (online cohorts show who joins it from where):
    among the coming sessions listed, or beyond them when all those are cancelled."""
    found = next((s for s in coming if s.status != Session.Status.CANCELLED), None)
    if found is None and len(coming) < cohort.future_session_count:
        found = (
            Session.objects.filter(cohort=cohort, date__gte=coming[0].date)
            .exclude(status=Session.Status.CANCELLED)
            .prefetch_related(Prefetch("trainer_places", queryset=SessionTrainer.objects.select_related("staff_member")))
            .order_by("date", "start_time", "pk")
            .first()
        )
    return found


def _shown_sessions(pk: int, today: dt.date) -> QuerySet[Session]:
    """The sessions nearest today on each side."""
    of_cohort = Session.objects.filter(cohort_id=pk)
    coming = of_cohort.filter(date__gte=today).order_by("date", "start_time", "pk").values("pk")[:SESSIONS_SHOWN]
    past = of_cohort.filter(date__lt=today).order_by("-date", "-start_time", "-pk").values("pk")[:SESSIONS_SHOWN]
    return Session.objects.filter(Q(pk__in=coming) | Q(pk__in=past))


def _open_requests(cohort: Cohort, enrolments: list[Enrolment]) -> int:
    """Open course requests for the cohort's course from its facility, of people not in the cohort (the waitlist
    page lists them with the waiting enrolments). The requesters are read and the cohort's people (at hand)
    left out here: as conditions, excluding them doubled the time Django took to build the query."""
    requesters = CourseRequest.objects.filter(course_id=cohort.course_id, status=CourseRequest.Status.OPEN).filter(
        Q(inmate__current_facility_id=cohort.facility_id, inmate__status=Inmate.Status.IN_CUSTODY)
        | Q(staff_member__isnull=False, facility_id=cohort.facility_id)
    )
    inmates = {e.inmate_id for e in enrolments if e.inmate_id}
    staff = {e.staff_member_id for e in enrolments if e.staff_member_id}
    return sum(
        1
        for inmate, staff_member in requesters.values_list("inmate_id", "staff_member_id")
        if inmate not in inmates and staff_member not in staff
    )


def _cohort_page(request: HttpRequest, pk: int, **annotations) -> tuple[Cohort, bool]:
    """The cohort of one of its pages, with its trainers and any `annotations`, and whether the user manages it;
    404 when the user may not view it (viewable_cohorts' rule: managed, or delivered by the user).

    The cohort is read by its key and the scope checked on what the page shows anyway (its trainers, and the
    user's role assignments): filtering on viewable_cohorts() made PostgreSQL plan its OR of subqueries over
    eight joins, which took longer than the page's other queries took to run."""
    # The course, facility and room are attached from the process's reference data, and the mentor and the
    # cohort cascaded from (of a few cascade cohorts only) read below: joined here, they multiplied the time
    # PostgreSQL took to plan this query. A country-wide role reads the facility's prison service when its scope
    # is checked.
    cohort = one_or_404(Cohort.objects.annotate(**annotations), pk=pk)
    refdata.attach([cohort], "course", "facility", "room")
    prefetch_related_objects([cohort], "trainers")
    refdata.attach(cohort.trainers.all(), "organisation")
    manager = can_manage(request.user, cohort)
    if not manager and not any(trainer.user_id == request.user.pk for trainer in cohort.trainers.all()):
        raise Http404
    if cohort.mentor_id or cohort.cascade_of_id:
        prefetch_related_objects([cohort], "mentor__organisation", "cascade_of")
    return cohort, manager


# ---------------------------------------------------------------- create and edit

# Fields of the submitted form that are not part of what is previewed.
_NOT_PREVIEWED = {"csrfmiddlewaretoken", "preview", "confirm", "acknowledge_clashes", "preview_digest"}


def _digest(data) -> str:
    """A fingerprint of what was previewed, so a confirmation saves exactly what the user saw."""
    items = sorted((key, tuple(data.getlist(key))) for key in data if key not in _NOT_PREVIEWED)
    return salted_hmac("programs.cohort_preview", repr(items)).hexdigest()


def _cohort_form_page(request: HttpRequest, *, facility: Facility, cohort: Cohort | None) -> HttpResponse:
    today = timezone.localdate()
    instance = cohort or Cohort(facility=facility)
    initial_slots = (
        [{"weekday": s.weekday, "start_time": s.start_time, "end_time": s.end_time} for s in cohort.weekly_slots.all()]
        if cohort
        else []
    )
    data = request.POST if request.method == "POST" else None
    form = CohortForm(data, instance=instance, facility=facility)
    slot_formset = SlotFormSet(data, initial=initial_slots, prefix="slots")
    confirm_form = ConfirmForm(data)
    context = {"facility": facility, "cohort": cohort, "form": form, "slot_formset": slot_formset, "preview": None}

    if data is None or not (form.is_valid() and slot_formset.is_valid() and confirm_form.is_valid()):
        return render(request, "programs/cohorts/form.html", context)

    values = {name: form.cleaned_data[name] for name in form.Meta.fields}
    slots = slot_formset.slots
    plan = schedule_plan(
        start_date=values["start_date"], end_date=values["end_date"], slots=slots, country=facility.country
    )
    # Nothing is saved yet: the form has put the submitted values on the (unsaved) instance, which is what
    # the schedule change and the clashes are computed for.
    change = cohort_schedule_change(cohort=instance, planned=plan.planned, today=today)
    clashes = cohort_schedule_clashes(
        cohort=instance,
        planned=[p for p in plan.planned if p[0] >= today],
        room=values["room"],
        trainers=list(values["trainers"]),
    )
    digest = _digest(data)
    context.update(
        preview={"plan": plan, "change": change, "clashes": clashes, "digest": digest},
        confirm_form=ConfirmForm(initial={"preview_digest": digest}),
    )

    if "confirm" in data:
        if confirm_form.cleaned_data["preview_digest"] != digest:
            context["stale"] = True
        elif clashes and not confirm_form.cleaned_data["acknowledge_clashes"]:
            context["confirm_form"] = confirm_form
            confirm_form.add_error("acknowledge_clashes", _("Tick “I have checked the clashes” to save despite them."))
        else:
            try:
                if cohort is None:
                    saved, generation = cohort_create(facility=facility, slots=slots, by=request.user, **values)
                else:
                    saved, generation = cohort_update(cohort=cohort, slots=slots, by=request.user, **values)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    ngettext("%(count)d session generated.", "%(count)d sessions generated.", generation.created)
                    % {"count": generation.created},
                )
                if generation.history:
                    messages.info(
                        request,
                        ngettext(
                            "%(count)d session kept because it is in the past or has a register.",
                            "%(count)d sessions kept because they are in the past or have a register.",
                            generation.history,
                        )
                        % {"count": generation.history},
                    )
                return redirect("programs:cohort_detail", pk=saved.pk)
    return render(request, "programs/cohorts/form.html", context)


@role_required(*MANAGER_ROLES)
def cohort_create_view(request: HttpRequest) -> HttpResponse:
    facilities = facilities_for(request.user, *MANAGER_ROLES).select_related("prison_service")
    facility_pk = request.GET.get("facility", "")
    if not facility_pk.isdigit():
        if facilities.count() == 1:
            return redirect(f"{request.path}?facility={facilities.get().pk}")
        return render(request, "programs/cohorts/choose_facility.html", {"facilities": facilities.order_by("name")})
    facility = get_object_or_404(facilities, pk=facility_pk)
    return _cohort_form_page(request, facility=facility, cohort=None)


@role_required(*MANAGER_ROLES)
def cohort_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(
        managed_cohorts(request.user).select_related("facility__prison_service", "course", "room"), pk=pk
    )
    return _cohort_form_page(request, facility=cohort.facility, cohort=cohort)


urlpatterns = [
    path("cohorts/<int:pk>/", cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/sessions/", cohort_sessions, name="cohort_sessions"),
    path("cohorts/<int:pk>/delivery/", cohort_delivery, name="cohort_delivery"),
    path("cohorts/new/", cohort_create_view, name="cohort_create"),
    path("cohorts/<int:pk>/edit/", cohort_edit_view, name="cohort_edit"),
]
