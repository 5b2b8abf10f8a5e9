"""Factories for funding actions, donations and equipment, and a builder for donor-report datasets."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from programs.models import Donation, Enrolment, EquipmentItem, FundingAction, FundingActionCountry
from rehab.models import Country, Organisation
from tests.factories import EnrolmentFactory, FacilityFactory, InmateFactory, StaffMemberFactory


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Donor {n}")
    kind = Organisation.Kind.DONOR
    country = Country.KOSOVO


class FundingActionFactory(factory.django.DjangoModelFactory):
    """An action of a donor; `countries` (default Kosovo) become its FundingActionCountry rows."""

    class Meta:
        model = FundingAction
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"action-{n}")
    title = factory.Sequence(lambda n: f"Action {n}")
    donor = factory.SubFactory(DonorFactory)
    start_date = dt.date(2026, 1, 1)
    end_date = dt.date(2026, 12, 31)

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create:
            for code in extracted if extracted is not None else [Country.KOSOVO]:
                FundingActionCountry.objects.create(funding_action=self, country=code)


class DonationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donation

    donor = factory.SubFactory(DonorFactory)
    facility = factory.SubFactory(FacilityFactory)
    date = dt.date(2026, 2, 1)


class EquipmentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EquipmentItem

    facility = factory.SubFactory(FacilityFactory)
    kind = EquipmentItem.Kind.LAPTOP
    name = factory.Sequence(lambda n: f"Laptop {n}")
    quantity = 1
    received_on = dt.date(2026, 2, 1)


def ended(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(16)))


def inmate_in(cohort, *, gender: str = "F", born: dt.date = dt.date(1995, 6, 1),
              status: str = Enrolment.Status.ENROLLED, result: str = "", ended_on: dt.date | None = None) -> Enrolment:
    """An inmate of the cohort's facility enrolled in it, with the given outcome."""
    inmate = InmateFactory(
        current_facility=cohort.facility, prison_service=cohort.facility.prison_service, gender=gender,
        date_of_birth=born,
    )
    return EnrolmentFactory(
        cohort=cohort, inmate=inmate, status=status, final_result=result,
        ended_at=ended(ended_on) if ended_on else None,
    )


def staff_in(cohort, *, organisation: Organisation, gender: str = "F", status: str = Enrolment.Status.ENROLLED,
             result: str = "", ended_on: dt.date | None = None) -> Enrolment:
    member = StaffMemberFactory(organisation=organisation, gender=gender, first_name="Staff")
    return EnrolmentFactory(
        cohort=cohort, inmate=None, staff_member=member, status=status, final_result=result,
        ended_at=ended(ended_on) if ended_on else None,
    )
