"""Follow-ups move with the release date: a release recorded on another day than expected, or a corrected
release date, reschedules the follow-ups not yet done (1, 3, 6 and 12 months after it) in the same
transaction; recorded follow-ups and the referrals of an earlier stay in custody keep their dates."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from inmates.models import CustodyEvent, FollowUp, Inmate
from inmates.support import follow_up_record, follow_ups_reschedule, referral_create
from programs.services.movements import custody_readmit, custody_release
from tests.factories import FacilityFactory, InmateFactory, UserFactory
from tests.factories_casework import ProbationServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lipjan():
    return FacilityFactory(name="Lipjan")


@pytest.fixture
def kps():
    return ProbationServiceFactory(name="Kosovo Probation Service")


@pytest.fixture
def arta(lipjan):
    """In custody since 10 January 2024, expected out on 10 March 2026."""
    person = InmateFactory(
        current_facility=lipjan, admission_date=dt.date(2024, 1, 10), expected_release_date=dt.date(2026, 3, 10)
    )
    CustodyEvent.objects.create(inmate=person, kind=CustodyEvent.Kind.ADMISSION, date=person.admission_date, to_facility=lipjan)
    return person


def schedule(referral):
    return list(referral.follow_ups.order_by("month").values_list("month", "due_on", "done_on"))


def test_a_release_on_another_day_than_expected_moves_the_follow_ups(arta, kps):
    referral = referral_create(inmate=arta, organisation=kps, referred_on=dt.date(2026, 2, 2))
    officer = UserFactory()

    custody_release(inmate=arta, date=dt.date(2026, 2, 27), by=officer, today=dt.date(2026, 3, 1))

    assert schedule(referral) == [
        (1, dt.date(2026, 3, 27), None),
        (3, dt.date(2026, 5, 27), None),
        (6, dt.date(2026, 8, 27), None),
        (12, dt.date(2027, 2, 27), None),
    ]
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(FollowUp), action=LogEntry.Action.UPDATE
    ).order_by("object_id")
    assert [(e.object_id, e.changes, e.actor, e.additional_data) for e in entries] == [
        (
            follow_up.pk,
            {"due_on": [str(was), str(follow_up.due_on)]},
            officer,
            {"reason": "Release on Feb. 27, 2026"},
        )
        for follow_up, was in zip(
            referral.follow_ups.order_by("pk"),
            [dt.date(2026, 4, 10), dt.date(2026, 6, 10), dt.date(2026, 9, 10), dt.date(2027, 3, 10)],
            strict=True,
        )
    ]


def test_a_release_on_the_expected_day_changes_nothing(arta, kps):
    referral = referral_create(inmate=arta, organisation=kps, referred_on=dt.date(2026, 2, 2))

    custody_release(inmate=arta, date=dt.date(2026, 3, 10), today=dt.date(2026, 3, 10))

    assert [due for _month, due, _done in schedule(referral)] == [
        dt.date(2026, 4, 10), dt.date(2026, 6, 10), dt.date(2026, 9, 10), dt.date(2027, 3, 10),
    ]
    assert not LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(FollowUp), action=LogEntry.Action.UPDATE
    ).exists()


def test_a_follow_up_already_recorded_keeps_its_date(lipjan, kps):
    # Expected out on 10 January; the release, two days later, is recorded only in February.
    person = InmateFactory(
        current_facility=lipjan, admission_date=dt.date(2024, 1, 10), expected_release_date=dt.date(2026, 1, 10)
    )
    referral = referral_create(inmate=person, organisation=kps, referred_on=dt.date(2025, 12, 1))
    first = referral.follow_ups.get(month=1)
    follow_up_record(follow_up=first, done_on=dt.date(2026, 2, 12), today=dt.date(2026, 2, 12), outcomes={"housed": True})

    custody_release(inmate=person, date=dt.date(2026, 1, 12), today=dt.date(2026, 2, 20))

    assert schedule(referral) == [
        (1, dt.date(2026, 2, 10), dt.date(2026, 2, 12)),
        (3, dt.date(2026, 4, 12), None),
        (6, dt.date(2026, 7, 12), None),
        (12, dt.date(2027, 1, 12), None),
    ]


def test_a_corrected_release_movement_moves_the_follow_ups_not_yet_done(arta, kps):
    custody_release(inmate=arta, date=dt.date(2026, 1, 31), today=dt.date(2026, 1, 31))
    arta.refresh_from_db()
    referral = referral_create(inmate=arta, organisation=kps, referred_on=dt.date(2026, 2, 2))
    follow_up_record(
        follow_up=referral.follow_ups.get(month=1), done_on=dt.date(2026, 3, 2), today=dt.date(2026, 3, 2), outcomes={}
    )
    release = arta.custody_events.get(kind=CustodyEvent.Kind.RELEASE)
    release.date = dt.date(2026, 1, 20)
    release.save()

    moved = follow_ups_reschedule(inmate=Inmate.objects.get(pk=arta.pk), reason="The release was on 20 January.")

    assert [follow_up.month for follow_up in moved] == [3, 6, 12]
    assert schedule(referral) == [
        (1, dt.date(2026, 2, 28), dt.date(2026, 3, 2)),
        (3, dt.date(2026, 4, 20), None),
        (6, dt.date(2026, 7, 20), None),
        (12, dt.date(2027, 1, 20), None),
    ]
    assert follow_ups_reschedule(inmate=Inmate.objects.get(pk=arta.pk)) == []


def test_a_corrected_expected_release_date_moves_the_follow_ups_before_the_release(arta, kps):
    referral = referral_create(inmate=arta, organisation=kps, referred_on=dt.date(2026, 1, 5))
    Inmate.objects.filter(pk=arta.pk).update(expected_release_date=dt.date(2026, 5, 31))

    follow_ups_reschedule(inmate=Inmate.objects.get(pk=arta.pk))

    assert [due for _month, due, _done in schedule(referral)] == [
        dt.date(2026, 6, 30), dt.date(2026, 8, 31), dt.date(2026, 11, 30), dt.date(2027, 5, 31),
    ]


def test_the_referrals_of_an_earlier_stay_in_custody_keep_their_dates(arta, lipjan, kps):
    custody_release(inmate=arta, date=dt.date(2024, 6, 1), today=dt.date(2024, 6, 1))
    arta.refresh_from_db()
    earlier = referral_create(inmate=arta, organisation=kps, referred_on=dt.date(2024, 6, 3))
    custody_readmit(
        inmate=arta, facility=lipjan, date=dt.date(2025, 2, 1), expected_release_date=dt.date(2026, 3, 10),
        today=dt.date(2025, 2, 1),
    )
    arta.refresh_from_db()
    current = referral_create(inmate=arta, organisation=ProbationServiceFactory(name="NGO Help"), referred_on=dt.date(2026, 2, 2))

    custody_release(inmate=arta, date=dt.date(2026, 3, 3), today=dt.date(2026, 3, 3))

    assert [due for _month, due, _done in schedule(earlier)] == [
        dt.date(2024, 7, 1), dt.date(2024, 9, 1), dt.date(2024, 12, 1), dt.date(2025, 6, 1),
    ]
    assert [due for _month, due, _done in schedule(current)] == [
        dt.date(2026, 4, 3), dt.date(2026, 6, 3), dt.date(2026, 9, 3), dt.date(2027, 3, 3),
    ]


def test_a_refused_release_leaves_the_follow_ups_as_they_were(arta, kps):
    referral = referral_create(inmate=arta, organisation=kps, referred_on=dt.date(2026, 2, 2))

    with pytest.raises(ValidationError):
        custody_release(inmate=arta, date=dt.date(2023, 12, 1), today=dt.date(2026, 3, 1))

    assert schedule(referral)[0] == (1, dt.date(2026, 4, 10), None)


def test_correcting_a_release_movement_in_the_admin_moves_the_follow_ups(client, arta, kps):
    custody_release(inmate=arta, date=dt.date(2026, 1, 31), today=dt.date(2026, 1, 31))
    referral = referral_create(inmate=Inmate.objects.get(pk=arta.pk), organisation=kps, referred_on=dt.date(2026, 2, 2))
    release = arta.custody_events.get(kind=CustodyEvent.Kind.RELEASE)
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)

    response = client.post(
        reverse("admin:inmates_custodyevent_change", args=[release.pk]),
        {"inmate": arta.pk, "kind": "release", "date": "2026-01-20", "from_facility": release.from_facility_id,
         "to_facility": "", "note": "", "recorded_by": ""},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert schedule(referral) == [
        (1, dt.date(2026, 2, 20), None),
        (3, dt.date(2026, 4, 20), None),
        (6, dt.date(2026, 7, 20), None),
        (12, dt.date(2027, 1, 20), None),
    ]
    assert set(LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(FollowUp), actor=admin)
               .values_list("additional_data__reason", flat=True)) == {"release date corrected in the administration"}


def _inmate_admin_data(client, arta, **changes):
    form = client.get(reverse("admin:inmates_inmate_change", args=[arta.pk])).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    data.update(admission_date="2024-01-10", expected_release_date="2026-03-10", date_of_birth=arta.date_of_birth.isoformat())
    data.update(changes)
    events = list(arta.custody_events.order_by("pk"))
    data.update({"custody_events-TOTAL_FORMS": str(len(events)), "custody_events-INITIAL_FORMS": str(len(events)),
                 "custody_events-MIN_NUM_FORMS": "0", "custody_events-MAX_NUM_FORMS": "1000"})
    for n, event in enumerate(events):
        data.update({f"custody_events-{n}-id": event.pk, f"custody_events-{n}-inmate": arta.pk,
                     f"custody_events-{n}-kind": event.kind, f"custody_events-{n}-date": event.date.isoformat(),
                     f"custody_events-{n}-to_facility": event.to_facility_id or "", f"custody_events-{n}-from_facility": ""})
    return data


def test_correcting_the_expected_release_date_in_the_admin_moves_the_follow_ups(client, arta, kps):
    referral = referral_create(inmate=arta, organisation=kps, referred_on=dt.date(2026, 2, 2))
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.post(
        reverse("admin:inmates_inmate_change", args=[arta.pk]), _inmate_admin_data(client, arta, expected_release_date="2026-04-10")
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert [due for _month, due, _done in schedule(referral)] == [
        dt.date(2026, 5, 10), dt.date(2026, 7, 10), dt.date(2026, 10, 10), dt.date(2027, 4, 10),
    ]


def test_another_edit_of_the_person_in_the_admin_keeps_a_follow_up_date_set_by_hand(client, arta, kps):
    referral = referral_create(inmate=arta, organisation=kps, referred_on=dt.date(2026, 2, 2))
    referral.follow_ups.filter(month=1).update(due_on=dt.date(2026, 4, 2))
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.post(
        reverse("admin:inmates_inmate_change", args=[arta.pk]), _inmate_admin_data(client, arta, first_name="Artë")
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert [due for _month, due, _done in schedule(referral)] == [
        dt.date(2026, 4, 2), dt.date(2026, 6, 10), dt.date(2026, 9, 10), dt.date(2027, 3, 10),
    ]


def test_deleting_a_release_movement_in_the_admin_reschedules_from_the_release_date_left(client, arta, kps):
    """The release recorded the person's release date; with the movement deleted, that date is what is left."""
    custody_release(inmate=arta, date=dt.date(2026, 1, 31), today=dt.date(2026, 1, 31))
    referral = referral_create(inmate=Inmate.objects.get(pk=arta.pk), organisation=kps, referred_on=dt.date(2026, 2, 2))
    referral.follow_ups.filter(month=1).update(due_on=dt.date(2026, 3, 15))
    release = arta.custody_events.get(kind=CustodyEvent.Kind.RELEASE)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.post(reverse("admin:inmates_custodyevent_delete", args=[release.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not CustodyEvent.objects.filter(pk=release.pk).exists()
    assert [due for _month, due, _done in schedule(referral)] == [
        dt.date(2026, 2, 28), dt.date(2026, 4, 30), dt.date(2026, 7, 31), dt.date(2027, 1, 31),
    ]
