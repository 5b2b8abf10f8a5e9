"""Courses made of modules: sessions tagged with a module, progress per participant and module."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programs.models import Attendance
from programs.services.modules import ModuleSpec, cohort_module_progress, cohort_tag_sessions, course_set_modules
from tests.factories import EnrolmentFactory
from tests.factories_cohorts import director_of
from tests.factories_staff import CourseModuleFactory, attend, held, mixed_cohort, staff_enrolment

pytestmark = pytest.mark.django_db


def test_the_anger_management_course_gets_four_modules_and_renaming_keeps_them():
    cohort = mixed_cohort()
    titles = ["Understanding anger", "Triggers", "Techniques", "Peer education"]

    course_set_modules(course=cohort.course, modules=[ModuleSpec(i, t, 4) for i, t in enumerate(titles, start=1)])
    first = cohort.course.modules.get(order=1)
    course_set_modules(course=cohort.course, modules=[ModuleSpec(1, "Aggression and anger", 4), *[
        ModuleSpec(i, t, 4) for i, t in enumerate(titles[1:], start=2)]])

    assert list(cohort.course.modules.values_list("order", "title")) == [
        (1, "Aggression and anger"), (2, "Triggers"), (3, "Techniques"), (4, "Peer education"),
    ]
    assert cohort.course.modules.get(order=1).pk == first.pk


def test_a_module_used_by_sessions_cannot_be_removed():
    cohort = mixed_cohort()
    module = CourseModuleFactory(course=cohort.course, order=1)
    held(cohort, 1, module=module)

    with pytest.raises(ValidationError):
        course_set_modules(course=cohort.course, modules=[])
    assert cohort.course.modules.count() == 1


def test_progress_counts_held_sessions_attended_per_module_for_inmates_and_staff():
    cohort = mixed_cohort()
    one, two = CourseModuleFactory(course=cohort.course, order=1), CourseModuleFactory(course=cohort.course, order=2)
    first, second = held(cohort, 2, module=one), held(cohort, 1, module=two, start=5)
    untagged = held(cohort, 1, start=9)
    inmate = EnrolmentFactory(cohort=cohort)
    staff = staff_enrolment(cohort)
    attend(inmate, first + second + untagged)
    attend(staff, first[:1])
    attend(staff, first[1:], Attendance.Status.ABSENT)

    progress = cohort_module_progress(cohort=cohort, enrolments=[inmate, staff])

    assert [(c.module, c.attended, c.held) for c in progress.rows[0].cells] == [(one, 2, 2), (two, 1, 1)]
    assert [(c.module, c.attended, c.held) for c in progress.rows[1].cells] == [(one, 1, 2), (two, 0, 1)]
    assert (progress.untagged_held, progress.rows[1].modules_attended) == (1, 1)


def test_sessions_cannot_be_tagged_with_another_courses_module():
    cohort = mixed_cohort()
    (session,) = held(cohort, 1)

    with pytest.raises(ValidationError):
        cohort_tag_sessions(cohort=cohort, modules={session.pk: CourseModuleFactory()})


def test_the_director_tags_sessions_and_the_cohort_page_shows_progress(client):
    cohort = mixed_cohort()
    module = CourseModuleFactory(course=cohort.course, order=1, title="Understanding anger")
    (session,) = held(cohort, 1)
    attend(EnrolmentFactory(cohort=cohort), [session])
    client.force_login(director_of(cohort.facility))

    saved = client.post(reverse("programs:cohort_modules", args=[cohort.pk]), {f"session_{session.pk}": str(module.pk)})
    assert saved["Location"] == reverse("programs:cohort_delivery", args=[cohort.pk])
    response = client.get(reverse("programs:cohort_delivery", args=[cohort.pk]))

    session.refresh_from_db()
    assert session.module == module
    assert [(c.attended, c.held) for c in response.context["module_progress"].rows[0].cells] == [(1, 1)]
