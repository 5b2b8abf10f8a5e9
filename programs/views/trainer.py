"""The trainer's screens: today's and this week's sessions, the register, the final assessment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from programs.forms.attendance import FinalAssessmentForm, RegisterForm, WeekForm
from programs.models import Attendance, Cohort, Enrolment, Session, SessionTrainer
from programs.selectors import cohort_ids_delivered_by, cohorts_running_between, register_counts
from programs.services.attendance import (
    BY_NAME,
    cohort_can_complete,
    cohort_complete,
    cohort_participants,
    cohort_record_final_assessments,
    cohorts_managed_by,
    register_edit_deadline,
    session_register_people,
    session_register_refusal,
    session_save_register,
    trains_cohort,
    user_directs_cohort,
)
from programs.services.cascades import training_of_trainers_complete
from programs.services.movements import enrolment_moved_on
from rehab import refdata
from rehab.db import one_or_404
from rehab.links import url_by_pk
from rehab.models import Role
from rehab.permissions import role_required

TRAINER_SCREEN_ROLES = (Role.TRAINER, Role.DIRECTOR, Role.SYSTEM_ADMINISTRATOR)

# A group stays listed on the week page this long after it ends, while final assessments are recorded.
RECENT_COHORT_DAYS = 60



# ---------------------------------------------------------------- today and this week


def _delivered_sessions(request: HttpRequest, start: dt.date, end: dt.date, recent_days: int = 0) -> tuple[list[Session], list[Cohort]]:
    """The user's sessions from `start` to `end`, each with its register's state, and the cohorts they deliver
    in those days or that ended up to `recent_days` before (for their final assessment), by end date."""
    today = timezone.localdate()
    delivered = cohort_ids_delivered_by(user=request.user)
    sessions = list(
        Session.objects.filter(cohort_id__in=delivered, date__range=(start, end)).order_by("date", "start_time", "pk")
    )
    cohorts = {
        cohort.pk: cohort
        for cohort in cohorts_running_between(
            ids=delivered, start=start, end=end, recent_days=recent_days, also={s.cohort_id for s in sessions}
        )
    }
    sessions = [s for s in sessions if s.cohort_id in cohorts]  # a group deleted meanwhile, with its sessions
    counts = register_counts([s.pk for s in sessions])
    register_url, cancel_url = url_by_pk("programs:register"), url_by_pk("programs:session_cancel")
    back = urlencode({"next": request.get_full_path()})
    for session in sessions:
        session.cohort = cohorts[session.cohort_id]
        session.marked, session.attended = counts.get(session.pk, (0, 0))
        session.register_url = register_url(session.pk)
        session.cancel_url = f"{cancel_url(session.pk)}?{back}"
        session.register_taken = session.register_taken_at is not None or session.marked > 0
        session.is_future = session.date > today
        session.register_locked = today > register_edit_deadline(session=session)
        # What the card shows, decided here once rather than by the same comparisons over again in the template.
        session.is_cancelled = session.status == Session.Status.CANCELLED
        session.shows_register_state = not (session.is_cancelled or session.is_future)
        session.can_cancel = session.status == Session.Status.SCHEDULED and not session.register_taken
        session.is_online = session.cohort.delivery_mode != Cohort.DeliveryMode.IN_PERSON
    # Online and hybrid sessions show who joins from which city: one more query, only when there are such sessions.
    prefetch_related_objects(
        [s for s in sessions if s.is_online],
        Prefetch("trainer_places", queryset=SessionTrainer.objects.select_related("staff_member")),
    )
    running = [c for c in cohorts.values() if c.start_date <= end and c.end_date >= start - dt.timedelta(days=recent_days)]
    final_assessment_url = url_by_pk("programs:final_assessment")
    for cohort in running:
        cohort.final_assessment_url = final_assessment_url(cohort.pk)
    return sessions, sorted(running, key=lambda c: (c.end_date, c.name, c.pk))


@role_required(*TRAINER_SCREEN_ROLES)
def today(request: HttpRequest) -> HttpResponse:
    day = timezone.localdate()
    sessions, _cohorts = _delivered_sessions(request, day, day)
    context = {"today": day, "sessions": sessions, "week_start": day - dt.timedelta(days=day.weekday())}
    return render(request, "programs/trainer/today.html", context)


@role_required(*TRAINER_SCREEN_ROLES)
def week(request: HttpRequest) -> HttpResponse:
    day = timezone.localdate()
    start = WeekForm(request.GET).week_start(day)
    end = start + dt.timedelta(days=6)
    # Groups running this week or ended recently are listed for their final assessment.
    sessions, cohorts = _delivered_sessions(request, start, end, recent_days=RECENT_COHORT_DAYS)
    days = [start + dt.timedelta(days=n) for n in range(7)]
    context = {
        "today": day,
        "start": start,
        "end": end,
        "days": [(d, [s for s in sessions if s.date == d]) for d in days],
        "session_count": len(sessions),
        "previous_start": start - dt.timedelta(days=7),
        "next_start": start + dt.timedelta(days=7),
        "this_week": day - dt.timedelta(days=day.weekday()),
        "cohorts": cohorts,
    }
    return render(request, "programs/trainer/week.html", context)


# ---------------------------------------------------------------- the register


def _register_people(session: Session) -> tuple[list[Enrolment], list[Enrolment]]:
    """Everyone on the register, each with `saved_attendance` (their row for this session, or None), and
    apart from them the people a movement took out of the group before the session, each with `moved_on`."""
    saved = {row.enrolment_id: row for row in Attendance.objects.filter(session=session).order_by()}
    people, moved = session_register_people(session=session, marked=saved)
    for person in people:
        person.saved_attendance = saved.get(person.pk)
    for person in moved:
        person.moved_on = enrolment_moved_on(enrolment=person)
    _attach_recorders(session, saved.values())
    return people, moved


def _attach_recorders(session: Session, rows: Iterable[Attendance]) -> None:
    """The people the page names: who took the register and who corrected a row after that, read together
    (and only once the register is taken) rather than joined to the session's and every row's query."""
    if session.register_taken_at is None:
        return
    changed = [row for row in rows if row.recorded_at > session.register_taken_at]
    users = get_user_model().objects.in_bulk(
        {session.register_taken_by_id, *(row.recorded_by_id for row in changed)} - {None}
    )
    session.register_taken_by = users.get(session.register_taken_by_id)
    for row in changed:
        row.recorded_by = users.get(row.recorded_by_id)


def _last_change(session: Session, people: list[Enrolment]) -> Attendance | None:
    """The most recent correction after the register was first taken, if any."""
    saved = [p.saved_attendance for p in people if p.saved_attendance]
    latest = max(saved, key=lambda row: row.recorded_at, default=None)
    if latest and session.register_taken_at and latest.recorded_at > session.register_taken_at:
        return latest
    return None


def _register_context(
    request: HttpRequest, session: Session, refusal: str | None, form: RegisterForm | None = None, **extra
) -> dict:
    today = timezone.localdate()
    people, moved = _register_people(session)
    closed = session.status == Session.Status.CANCELLED or session.date > today
    form = form or RegisterForm(session=session, enrolments=people)
    return {
        "session": session,
        "cohort": session.cohort,
        "form": form,
        "rows": form.rows(),
        "counts": form.counts(),
        "refusal": refusal,
        "closed": closed,
        "read_only": bool(refusal) and not closed,
        "last_change": _last_change(session, people),
        "moved": moved,
        "edit_deadline": register_edit_deadline(session=session),
        "register_url": reverse("programs:register", args=[session.pk]),
        **extra,
    }


def _saved_message(counts: dict[str, int]) -> str:
    return _("Register saved: %(present)d present, %(late)d late, %(absent)d absent, %(excused)d excused.") % counts


def _managed_session(request: HttpRequest, pk: int) -> tuple[Session, str | None]:
    """The session and why the user may not save its register today (None when they may); 404 unless the
    user manages its cohort (the rule of sessions_managed_by()).

    Read by its key and checked afterwards: filtering on the scoped queryset made PostgreSQL plan nested
    subqueries on every register page, which took longer than the page's other queries took to run. A user
    who may save the register directs or trains the group, so only a refusal needs the scope checked."""
    session = one_or_404(
        Session.objects.select_related("cohort").annotate(user_trains=trains_cohort(user=request.user)), pk=pk
    )
    refdata.attach([session.cohort], "course", "facility", "room")
    refusal = session_register_refusal(session=session, user=request.user, user_trains=session.user_trains)
    if refusal is not None and not (session.user_trains or user_directs_cohort(user=request.user, cohort=session.cohort)):
        raise Http404
    return session, refusal


@role_required(*TRAINER_SCREEN_ROLES)
def register(request: HttpRequest, pk: int) -> HttpResponse:
    session, refusal = _managed_session(request, pk)
    template = "programs/trainer/_register_panel.html" if request.htmx else "programs/trainer/register.html"
    if request.method != "POST":
        return render(request, "programs/trainer/register.html", _register_context(request, session, refusal))

    if refusal:
        # Nothing to save: the page already showed the register as closed or read-only.
        return render(request, template, _register_context(request, session, refusal), status=200 if request.htmx else 403)

    form = RegisterForm(request.POST, session=session, enrolments=_register_people(session)[0])
    if form.is_valid():
        try:
            session_save_register(
                session=session,
                entries=form.entries(),
                topics_covered=form.cleaned_data["topics_covered"],
                by=request.user,
                user_trains=session.user_trains,
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            counts = form.counts()
            if not request.htmx:
                messages.success(request, _saved_message(counts))
                return redirect("programs:register", pk=session.pk)
            session.refresh_from_db(fields=["status", "topics_covered", "register_taken_at", "register_taken_by"])
            return render(
                request, template, _register_context(request, session, refusal, saved_message=_saved_message(counts))
            )
    return render(request, template, _register_context(request, session, refusal, form=form))


# ---------------------------------------------------------------- final assessment and completion


def _managed_cohort(request: HttpRequest, pk: int) -> Cohort:
    return get_object_or_404(cohorts_managed_by(user=request.user).select_related("course", "facility"), pk=pk)


def _participants(cohort: Cohort) -> QuerySet[Enrolment]:
    return cohort_participants(cohort=cohort).select_related("inmate", "staff_member").order_by(*BY_NAME)


@role_required(*TRAINER_SCREEN_ROLES)
def final_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _managed_cohort(request, pk)
    people = list(_participants(cohort))
    if request.method == "POST":
        form = FinalAssessmentForm(request.POST, enrolments=people)
        if form.is_valid():
            try:
                changed = cohort_record_final_assessments(cohort=cohort, results=form.results(), by=request.user)
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Final assessments saved: %(count)d changed.") % {"count": len(changed)})
                return redirect("programs:final_assessment", pk=cohort.pk)
    else:
        form = FinalAssessmentForm(enrolments=people)
    context = {
        "cohort": cohort,
        "form": form,
        "rows": form.rows(),
        "can_complete": cohort_can_complete(cohort=cohort),
        "still_enrolled": sum(1 for p in people if p.status == Enrolment.Status.ENROLLED),
    }
    return render(request, "programs/trainer/final_assessment.html", context)


@require_POST
@role_required(*TRAINER_SCREEN_ROLES)
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _managed_cohort(request, pk)
    try:
        if cohort.is_training_of_trainers:
            # Completing a training of trainers is also what qualifies its staff to deliver the course.
            completed, qualified = training_of_trainers_complete(cohort=cohort, by=request.user)
        else:
            completed, qualified = cohort_complete(cohort=cohort, by=request.user), []
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        count = len(completed)
        messages.success(
            request,
            ngettext("%(count)d participant marked as completed.", "%(count)d participants marked as completed.", count)
            % {"count": count},
        )
        if qualified:
            messages.success(
                request,
                ngettext(
                    "%(count)d staff member is now qualified to deliver this course.",
                    "%(count)d staff members are now qualified to deliver this course.",
                    len(qualified),
                )
                % {"count": len(qualified)},
            )
    return redirect("programs:final_assessment", pk=cohort.pk)


urlpatterns = [
    path("today/", today, name="today"),
    path("week/", week, name="week"),
    path("sessions/<int:pk>/register/", register, name="register"),
    path("cohorts/<int:pk>/final-assessment/", final_assessment, name="final_assessment"),
    path("cohorts/<int:pk>/complete/", complete, name="cohort_complete"),
]
