"""Reference data kept by each process (rehab.refdata): attached like select_related, never stale."""

import os

import pytest
from django.core.cache import cache, caches
from django.core.signals import request_finished, request_started
from django.db import connection

from programs.models import Cohort, Course
from rehab import refdata
from rehab.models import Facility, Organisation, Room
from tests.factories import CohortFactory, FacilityFactory

pytestmark = pytest.mark.django_db



@pytest.fixture(autouse=True)
def _shared_cache(settings):
    """The cache shared between processes, as in production and `make test` (the Redis of REDIS_URL)."""
    if "REDIS_URL" not in os.environ:
        pytest.skip("needs REDIS_URL")
    settings.CACHES = {"default": {"BACKEND": "rehab.cache.DegradingRedisCache", "LOCATION": os.environ["REDIS_URL"]}}


def attached(cohort: Cohort) -> Cohort:
    fresh = Cohort.objects.get(pk=cohort.pk)
    refdata.attach([fresh], "course", "facility", "room")
    return fresh


def test_attach_puts_the_rows_on_the_objects_as_select_related_does(django_assert_num_queries):
    cohort = CohortFactory()
    room = Room.objects.create(facility=cohort.facility, name="Workshop 2", capacity=12)
    Cohort.objects.filter(pk=cohort.pk).update(room=room)
    first = attached(cohort)  # reads the tables once for this version
    again = Cohort.objects.get(pk=cohort.pk)

    with django_assert_num_queries(0):
        refdata.attach([again], "course", "facility", "room")
        names = (again.course.title, again.facility.name, again.facility.prison_service_id, again.room.name)

    expected = Cohort.objects.select_related("course", "facility", "room").get(pk=cohort.pk)
    assert names == (expected.course.title, expected.facility.name, expected.facility.prison_service_id, "Workshop 2")
    assert first.course == expected.course and first.room == room


def test_a_cohort_without_a_room_gets_none_without_a_query(django_assert_num_queries):
    cohort = CohortFactory(room=None, capacity=10)
    fresh = attached(cohort)

    with django_assert_num_queries(0):
        assert fresh.room is None


@pytest.mark.parametrize(
    "change",
    [
        lambda facility: setattr(facility, "name", "Renamed") or facility.save(),
        lambda facility: Facility.objects.filter(pk=facility.pk).update(name="Renamed"),
        lambda facility: Facility.objects.bulk_update([setattr(facility, "name", "Renamed") or facility], ["name"]),
    ],
    ids=["save", "update", "bulk_update"],
)
def test_a_change_made_through_django_is_seen_by_the_next_page(change):
    cohort = CohortFactory(facility=FacilityFactory(name="Before"))
    assert attached(cohort).facility.name == "Before"

    change(Facility.objects.get(pk=cohort.facility_id))

    assert attached(cohort).facility.name == "Renamed"


def test_another_process_change_is_seen_once_it_moves_the_version():
    cohort = CohortFactory(course__title="Welding")
    assert attached(cohort).course.title == "Welding"
    with connection.cursor() as cursor:  # as another process would, unseen by this one's signals
        cursor.execute("UPDATE programs_course SET title = 'Welding II' WHERE id = %s", [cohort.course_id])

    assert attached(cohort).course.title == "Welding"  # this process's copy, until told
    cache.set(refdata.version_key(), "another process committed a change")
    assert attached(cohort).course.title == "Welding II"


def test_a_row_created_after_the_tables_were_read_is_read_by_key(django_assert_num_queries):
    attached(CohortFactory())
    kept = refdata._kept
    cohort = CohortFactory()  # its course and facility: new rows (their saves moved the version, too)
    refdata._kept = kept  # as if this process had not been told yet
    cache.set(refdata.version_key(), kept[0])
    fresh = Cohort.objects.get(pk=cohort.pk)

    with django_assert_num_queries(2):  # the new course and facility, each by key
        refdata.attach([fresh], "course", "facility")

    assert (fresh.course, fresh.facility) == (cohort.course, cohort.facility)


def test_rows_are_read_again_after_a_while_even_if_no_change_was_signalled(monkeypatch):
    cohort = CohortFactory(course__title="Welding")
    assert attached(cohort).course.title == "Welding"
    with connection.cursor() as cursor:  # a change the version never heard of (Redis was down, say)
        cursor.execute("UPDATE programs_course SET title = 'Welding II' WHERE id = %s", [cohort.course_id])
    monkeypatch.setattr(refdata, "KEEP_SECONDS", 0)

    assert attached(cohort).course.title == "Welding II"


def test_a_request_that_changed_them_drops_the_rows_it_read_when_it_ends():
    cohort = CohortFactory(facility=FacilityFactory(name="Before"))
    refdata._request_started()
    try:
        facility = Facility.objects.get(pk=cohort.facility_id)
        facility.name = "After (maybe rolled back)"
        facility.save()
        assert attached(cohort).facility.name == "After (maybe rolled back)"
        assert refdata._kept[2]
    finally:
        refdata._request_finished()

    assert refdata._kept == (None, 0.0, {})


def test_each_page_gets_its_own_instances():
    cohort = CohortFactory(course__title="Baking", course__title_translations={"sq": "Pjekje"})
    first = attached(cohort)
    first.course.title = "changed on one page"
    first.course.title_translations["sq"] = "changed too"

    second = attached(cohort)
    assert (second.course.title, second.course.title_translations) == ("Baking", {"sq": "Pjekje"})


def test_without_a_shared_cache_nothing_is_kept(settings, django_assert_num_queries):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cohort = CohortFactory()
    fresh = Cohort.objects.get(pk=cohort.pk)

    with django_assert_num_queries(2):  # course and facility by key, every time
        refdata.attach([fresh], "course", "facility")

    assert fresh.course == cohort.course


def test_when_redis_does_not_answer_the_rows_are_read_by_key(settings, django_assert_num_queries):
    settings.CACHES = {
        "default": {
            "BACKEND": "rehab.cache.DegradingRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    cohort = CohortFactory(facility=FacilityFactory(name="Lipjan"))
    fresh = Cohort.objects.get(pk=cohort.pk)

    with django_assert_num_queries(2):
        refdata.attach([fresh], "course", "facility")

    assert fresh.facility.name == "Lipjan"


def test_the_reference_models_mark_every_kind_of_write():
    for model in (Organisation, Facility, Room, Course):
        assert isinstance(model.objects.all(), refdata.ReferenceQuerySet)
        assert model in refdata._registered
    before = cache.get(refdata.version_key())
    Course.objects.filter(pk=-1).delete()

    assert cache.get(refdata.version_key()) != before


def test_within_a_request_the_version_is_read_once_and_a_change_made_by_it_is_seen(monkeypatch):
    cohort = CohortFactory(facility=FacilityFactory(name="Before"))
    backend, reads = caches["default"], []
    real_get = backend.get
    monkeypatch.setattr(backend, "get", lambda key, *a, **k: reads.append(key) or real_get(key, *a, **k))
    refdata._request_started()  # what request_started does (the signal would also close the test's connection)
    try:
        first, second = attached(cohort), attached(cohort)
        assert (first.facility.name, second.facility.name, reads.count(refdata.version_key())) == ("Before", "Before", 1)

        facility = Facility.objects.get(pk=cohort.facility_id)
        facility.name = "After"
        facility.save()

        assert attached(cohort).facility.name == "After"
    finally:
        refdata._request_finished()
    reads.clear()
    attached(cohort), attached(cohort)
    assert reads.count(refdata.version_key()) == 2  # outside a request (a task, a command): every time


def test_the_version_is_kept_for_requests_only():
    assert request_started.has_listeners() and request_finished.has_listeners()
    assert refdata._request_started in [r[1]() for r in request_started.receivers if r[1]() is not None]
