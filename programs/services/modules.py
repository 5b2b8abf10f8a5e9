"""Courses made of modules: the modules themselves, sessions tagged with one, and each participant's progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from programs.models import Attendance, Cohort, Course, CourseModule, Enrolment, Session
from programs.services.attendance import ATTENDED


@dataclass(frozen=True)
class ModuleSpec:
    order: int
    title: str
    planned_hours: int | None = None


def course_set_modules(
    *, course: Course, modules: Sequence[ModuleSpec], by: AbstractBaseUser | None = None
) -> list[CourseModule]:
    """Replace a course's modules with `modules`, keeping (and renaming) those whose position stays.

    A module that sessions are tagged with cannot be removed: the sessions would lose what they covered.
    """
    orders = [spec.order for spec in modules]
    if len(orders) != len(set(orders)):
        raise ValidationError(_("Two modules have the same position."), code="order")
    with transaction.atomic():
        existing = {m.order: m for m in CourseModule.objects.select_for_update().filter(course=course)}
        removed = [m for order, m in existing.items() if order not in orders]
        used = [m for m in removed if m.sessions.exists()]
        if used:
            raise ValidationError(
                _("Module “%(title)s” is used by sessions and cannot be removed.") % {"title": used[0].title},
                code="in_use",
            )
        for module in removed:
            module.delete()
        saved = []
        try:
            for spec in sorted(modules, key=lambda s: s.order):
                module = existing.get(spec.order)
                if module is None:
                    module = CourseModule.objects.create(
                        course=course, order=spec.order, title=spec.title.strip(), planned_hours=spec.planned_hours
                    )
                elif (module.title, module.planned_hours) != (spec.title.strip(), spec.planned_hours):
                    module.title, module.planned_hours = spec.title.strip(), spec.planned_hours
                    module.save(update_fields=["title", "planned_hours"])
                saved.append(module)
        except IntegrityError as exc:
            raise ValidationError(_("Two modules have the same position."), code="order") from exc
        return saved


def cohort_tag_sessions(
    *, cohort: Cohort, modules: Mapping[int, CourseModule | None], by: AbstractBaseUser | None = None
) -> int:
    """Tag sessions of the cohort (by id) with a module of its course, or clear the tag; returns how many changed."""
    changed = 0
    with transaction.atomic():
        sessions = {s.pk: s for s in Session.objects.select_for_update().filter(cohort=cohort, pk__in=list(modules))}
        if len(sessions) != len(modules):
            raise ValidationError(_("A session does not belong to this cohort."), code="session")
        for pk, module in modules.items():
            if module is not None and module.course_id != cohort.course_id:
                raise ValidationError(
                    _("“%(title)s” is a module of another course.") % {"title": module.title}, code="course"
                )
            session = sessions[pk]
            if session.module_id != (module.pk if module else None):
                session.module = module
                # Saved one by one (not updated in bulk) so the audit trail sees each change.
                session.save(update_fields=["module"])
                changed += 1
    return changed


@dataclass
class ModuleCell:
    module: CourseModule
    attended: int
    held: int


@dataclass
class ParticipantProgress:
    enrolment: Enrolment
    cells: list[ModuleCell]

    @property
    def modules_attended(self) -> int:
        """Modules where the person attended at least one held session."""
        return sum(1 for cell in self.cells if cell.attended)


@dataclass
class ModuleProgress:
    modules: list[CourseModule]
    held: dict[int, int]
    rows: list[ParticipantProgress]
    untagged_held: int


def cohort_module_progress(*, cohort: Cohort, enrolments: Sequence[Enrolment]) -> ModuleProgress:
    """Held sessions attended per module, for each of `enrolments` (the roster already on the page).

    Three queries whatever the number of people and modules: the modules, held sessions per module, and
    attended sessions per person and module.
    """
    modules = list(CourseModule.objects.filter(course_id=cohort.course_id).order_by("order"))
    if not modules:
        return ModuleProgress(modules=[], held={}, rows=[], untagged_held=0)
    held_rows = (
        Session.objects.filter(cohort=cohort, status=Session.Status.HELD)
        .values("module_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    held = {row["module_id"]: row["n"] for row in held_rows}
    attended: dict[tuple[int, int], int] = {}
    if enrolments:
        for row in (
            Attendance.objects.filter(
                enrolment__in=[e.pk for e in enrolments],
                session__cohort=cohort,
                session__status=Session.Status.HELD,
                session__module__isnull=False,
                status__in=ATTENDED,
            )
            .values("enrolment_id", "session__module_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            attended[row["enrolment_id"], row["session__module_id"]] = row["n"]
    rows = [
        ParticipantProgress(
            enrolment=enrolment,
            cells=[ModuleCell(module=m, attended=attended.get((enrolment.pk, m.pk), 0), held=held.get(m.pk, 0)) for m in modules],
        )
        for enrolment in enrolments
    ]
    return ModuleProgress(
        modules=modules, held={m.pk: held.get(m.pk, 0) for m in modules}, rows=rows, untagged_held=held.get(None, 0)
    )

