"""Funding actions, the groups they fund, donations of equipment and each facility's inventory."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programs.models import Cohort, Donation, EquipmentItem, FundingAction
from programs.services.funding import (
    ItemSpec,
    donation_record,
    equipment_item_update,
    funding_action_create,
    funding_action_set_cohorts,
)
from rehab.models import Organisation, Role
from tests.factories import (
    CohortFactory,
    FacilityFactory,
    PrisonServiceFactory,
    RoleAssignmentFactory,
    RoomFactory,
    UserFactory,
)
from tests.factories_funding import DonationFactory, DonorFactory, EquipmentItemFactory, FundingActionFactory


def user_with(role: str, **scope):
    scope.setdefault("facility", None)
    return RoleAssignmentFactory(user=UserFactory(), role=role, **scope).user


def action_post(**overrides) -> dict:
    donor = overrides.pop("donor", None) or DonorFactory()
    data = {
        "code": "eu-coe-2026",
        "title": "Horizontal Facility 2026",
        "donor": donor.pk,
        "implementing_partner": "",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "description": "",
        "countries": ["XK"],
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- funding actions


@pytest.mark.django_db
def test_an_action_is_created_with_its_countries():
    donor = DonorFactory()

    action = funding_action_create(
        code="hf", title="HF", donor=donor, implementing_partner=None, start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31), countries=["XK", "RS"],
    )

    assert sorted(action.countries.values_list("country", flat=True)) == ["RS", "XK"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, field",
    [
        ({"end_date": dt.date(2025, 1, 1)}, "end_date"),
        ({"countries": []}, "countries"),
        ({"donor_kind": Organisation.Kind.NGO}, "donor"),
    ],
)
def test_bad_actions_save_nothing(change, field):
    donor = DonorFactory(kind=change.pop("donor_kind", Organisation.Kind.DONOR))
    values = {
        "code": "hf", "title": "HF", "donor": donor, "implementing_partner": None,
        "start_date": dt.date(2026, 1, 1), "end_date": dt.date(2026, 12, 31), "countries": ["XK"], **change,
    }

    with pytest.raises(ValidationError) as error:
        funding_action_create(**values)

    assert field in error.value.message_dict
    assert FundingAction.objects.count() == 0


@pytest.mark.django_db
def test_a_programme_officer_creates_an_action_only_for_their_country(client):
    client.force_login(user_with(Role.PROGRAMME_OFFICER, country="XK"))

    refused = client.post(reverse("programs:funding_action_create"), action_post(countries=["RS"]))
    created = client.post(reverse("programs:funding_action_create"), action_post())

    assert refused.status_code == 200
    assert "countries" in refused.context["form"].errors
    action = FundingAction.objects.get()
    assert created.url == reverse("programs:funding_action_detail", kwargs={"pk": action.pk})
    assert list(action.countries.values_list("country", flat=True)) == ["XK"]


@pytest.mark.django_db
def test_the_donor_reads_its_own_actions_only(client):
    donor = DonorFactory()
    own = FundingActionFactory(donor=donor, title="Own action")
    FundingActionFactory(title="Someone else's action")
    client.force_login(user_with(Role.DONOR, organisation=donor))

    listing = client.get(reverse("programs:funding_action_list"))

    assert [action.title for action in listing.context["actions"]] == ["Own action"]
    assert client.get(reverse("programs:funding_action_detail", kwargs={"pk": own.pk})).status_code == 200
    assert client.get(reverse("programs:funding_action_edit", kwargs={"pk": own.pk})).status_code == 403


@pytest.mark.django_db
def test_cohorts_are_linked_and_unlinked(client):
    service = PrisonServiceFactory(country="XK")
    facility = FacilityFactory(prison_service=service)
    action = FundingActionFactory()
    first, second = CohortFactory(facility=facility), CohortFactory(facility=facility)
    other_action_cohort = CohortFactory(facility=facility, funding_action=FundingActionFactory())
    serbian = CohortFactory(facility=FacilityFactory(prison_service=PrisonServiceFactory(country="RS")))
    client.force_login(user_with(Role.PROGRAMME_OFFICER, country="XK"))
    url = reverse("programs:funding_action_cohorts", kwargs={"pk": action.pk})

    page = client.get(url)
    client.post(url, {"cohorts": [first.pk, second.pk]})
    client.post(url, {"cohorts": [second.pk]})
    refused = client.post(url, {"cohorts": [serbian.pk]})

    assert set(page.context["form"].fields["cohorts"].queryset) == {first, second}
    assert list(action.cohorts.all()) == [second]
    assert refused.context["form"].errors["cohorts"]
    assert Cohort.objects.get(pk=other_action_cohort.pk).funding_action_id != action.pk


@pytest.mark.django_db
def test_linking_a_cohort_outside_the_available_ones_is_refused():
    action = FundingActionFactory()
    cohort = CohortFactory()

    with pytest.raises(ValidationError):
        funding_action_set_cohorts(action=action, cohorts=[cohort], available=[])

    assert cohort.funding_action_id is None


# ---------------------------------------------------------------- donations and inventory


@pytest.mark.django_db
def test_a_director_records_a_donation_with_its_items(client):
    facility = FacilityFactory()
    room = RoomFactory(facility=facility, name="IT classroom")
    ngo = DonorFactory(kind=Organisation.Kind.NGO, name="Help")
    client.force_login(user_with(Role.DIRECTOR, facility=facility))
    data = {
        "donor": ngo.pk, "funding_action": "", "date": "2026-02-01", "note": "",
        "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0",
        "items-0-kind": "laptop", "items-0-name": "Laptop", "items-0-quantity": "6", "items-0-unit_value": "480",
        "items-0-condition": "good", "items-0-room": room.pk, "items-0-location_note": "",
        "items-1-kind": "sewing_machine", "items-1-name": "Sewing machine", "items-1-quantity": "2",
        "items-1-unit_value": "", "items-1-condition": "new", "items-1-room": "", "items-1-location_note": "Workshop",
    }

    response = client.post(reverse("programs:donation_create", kwargs={"pk": facility.pk}), data)

    donation = Donation.objects.get()
    assert response.url == reverse("programs:donation_detail", kwargs={"pk": donation.pk})
    items = list(donation.items.order_by("kind").values_list("kind", "quantity", "unit_value", "room_id", "received_on"))
    assert items == [
        ("laptop", 6, Decimal("480.00"), room.pk, dt.date(2026, 2, 1)),
        ("sewing_machine", 2, None, None, dt.date(2026, 2, 1)),
    ]


@pytest.mark.django_db
def test_a_half_filled_item_line_saves_nothing(client):
    facility = FacilityFactory()
    client.force_login(user_with(Role.DIRECTOR, facility=facility))
    data = {
        "donor": DonorFactory().pk, "date": "2026-02-01",
        "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0",
        "items-0-kind": "laptop", "items-0-name": "Laptop", "items-0-quantity": "6", "items-0-condition": "good",
        "items-1-kind": "tablet", "items-1-name": "", "items-1-quantity": "", "items-1-condition": "good",
    }

    response = client.post(reverse("programs:donation_create", kwargs={"pk": facility.pk}), data)

    assert response.status_code == 200
    assert Donation.objects.count() == 0
    assert EquipmentItem.objects.count() == 0


@pytest.mark.django_db
def test_a_donation_under_an_action_of_another_country_is_refused():
    facility = FacilityFactory(prison_service=PrisonServiceFactory(country="XK"))
    action = FundingActionFactory(countries=["RS"])

    with pytest.raises(ValidationError):
        donation_record(facility=facility, donor=action.donor, funding_action=action, date=dt.date(2026, 2, 1),
                        items=[ItemSpec(kind="laptop", name="Laptop", quantity=1)])

    assert Donation.objects.count() == 0


@pytest.mark.django_db
def test_the_inventory_totals_by_kind_and_keeps_written_off_items_apart(client):
    facility = FacilityFactory()
    EquipmentItemFactory(facility=facility, kind="laptop", quantity=6, unit_value=Decimal("480"))
    EquipmentItemFactory(facility=facility, kind="laptop", quantity=1, unit_value=Decimal("500"))
    EquipmentItemFactory(facility=facility, kind="tools", quantity=5, unit_value=None)
    broken = EquipmentItemFactory(facility=facility, kind="laptop", quantity=1, unit_value=Decimal("480"))
    equipment_item_update(item=broken, quantity=1, condition="written_off", room=None, location_note="Storage")
    client.force_login(user_with(Role.DIRECTOR, facility=facility))

    page = client.get(reverse("programs:inventory", kwargs={"pk": facility.pk}))

    assert [(row["label"], row["quantity"], row["value"]) for row in page.context["by_kind"]] == [
        ("Laptop", 7, Decimal("3380.00")),
        ("Tools", 5, Decimal("0")),
    ]
    assert page.context["total_quantity"] == 12
    assert page.context["total_value"] == Decimal("3380.00")
    assert [item.pk for item in page.context["written_off"]] == [broken.pk]
    assert page.context["written_off_value"] == Decimal("480.00")


@pytest.mark.django_db
def test_an_item_in_another_facility_room_is_refused():
    item = EquipmentItemFactory()
    elsewhere = RoomFactory()

    with pytest.raises(ValidationError):
        equipment_item_update(item=item, quantity=1, condition="good", room=elsewhere, location_note="")


@pytest.mark.django_db
def test_the_donor_sees_its_donations_and_those_under_its_actions(client):
    donor = DonorFactory()
    own = DonationFactory(donor=donor)
    under_action = DonationFactory(funding_action=FundingActionFactory(donor=donor))
    DonationFactory()
    client.force_login(user_with(Role.DONOR, organisation=donor))

    listing = client.get(reverse("programs:donation_list"))

    assert {donation.pk for donation in listing.context["donations"]} == {own.pk, under_action.pk}
    assert client.get(reverse("programs:donation_detail", kwargs={"pk": own.pk})).context["can_manage"] is False
    assert client.get(reverse("programs:inventory", kwargs={"pk": own.facility_id})).status_code == 403


# ---------------------------------------------------------------- constant queries


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_the_funding_list_takes_constant_queries(client, django_assert_num_queries, count):
    for _ in range(count):
        action = FundingActionFactory(countries=["XK", "RS"])
        CohortFactory(funding_action=action)
        DonationFactory(funding_action=action)
    client.force_login(user_with(Role.SYSTEM_ADMINISTRATOR))

    with django_assert_num_queries(5):
        response = client.get(reverse("programs:funding_action_list"))

    assert len(response.context["actions"]) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_the_donation_list_takes_constant_queries(client, django_assert_num_queries, count):
    for _ in range(count):
        donation = DonationFactory(funding_action=FundingActionFactory())
        EquipmentItemFactory(facility=donation.facility, donation=donation, quantity=2, unit_value=Decimal("10"))
    client.force_login(user_with(Role.SYSTEM_ADMINISTRATOR))

    with django_assert_num_queries(5):
        response = client.get(reverse("programs:donation_list"))

    assert [d.value for d in response.context["donations"]] == [Decimal("20.00")] * count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_the_inventory_pages_take_constant_queries(client, django_assert_num_queries, count):
    facilities = [FacilityFactory() for _ in range(2)]
    for facility in facilities:
        for _ in range(count):
            EquipmentItemFactory(facility=facility, donation=DonationFactory(facility=facility), room=RoomFactory(facility=facility))
    client.force_login(user_with(Role.SYSTEM_ADMINISTRATOR))

    with django_assert_num_queries(4):
        index = client.get(reverse("programs:inventory_index"))
    with django_assert_num_queries(5):
        page = client.get(reverse("programs:inventory", kwargs={"pk": facilities[0].pk}))

    assert [f.items for f in index.context["facilities"]] == [count, count]
    assert len(page.context["in_use"]) == count
