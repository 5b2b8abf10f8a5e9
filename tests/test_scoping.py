"""reaches_facility() answers, without a query, the question facilities_for() answers with one."""

import pytest

from rehab.models import Country, Facility, Role
from rehab.scoping import facilities_for, reaches_facility
from tests.factories import FacilityFactory, PrisonServiceFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilities():
    kosovo, serbia = PrisonServiceFactory(country=Country.KOSOVO), PrisonServiceFactory(country=Country.SERBIA)
    return [FacilityFactory(prison_service=kosovo), FacilityFactory(prison_service=kosovo), FacilityFactory(prison_service=serbia)]


def _users(facilities):
    lipjan, dubrava, nis = facilities
    director = RoleAssignmentFactory(role=Role.DIRECTOR, facility=lipjan).user
    service_officer = RoleAssignmentFactory(role=Role.PROGRAMME_OFFICER, facility=None, organisation=lipjan.prison_service).user
    country_officer = RoleAssignmentFactory(role=Role.PROGRAMME_OFFICER, facility=None, country=Country.SERBIA).user
    two_roles = RoleAssignmentFactory(role=Role.CASE_MANAGER, facility=dubrava).user
    RoleAssignmentFactory(user=two_roles, role=Role.DIRECTOR, facility=nis)
    admin = RoleAssignmentFactory(role=Role.SYSTEM_ADMINISTRATOR, facility=None).user
    return {"director": director, "service officer": service_officer, "country officer": country_officer,
            "two roles": two_roles, "admin": admin, "superuser": UserFactory(is_superuser=True), "nobody": UserFactory()}


@pytest.mark.parametrize("roles", [(), (Role.DIRECTOR,), (Role.DIRECTOR, Role.PROGRAMME_OFFICER), (Role.CASE_MANAGER,),
                                   (Role.DIRECTOR, Role.SYSTEM_ADMINISTRATOR)])
def test_reaches_facility_agrees_with_facilities_for(facilities, roles, django_assert_num_queries):
    for name, user in _users(facilities).items():
        expected = {f.pk for f in facilities_for(user, *roles).filter(pk__in=[f.pk for f in facilities])}
        loaded = list(Facility.objects.select_related("prison_service").filter(pk__in=[f.pk for f in facilities]))
        with django_assert_num_queries(0):
            reached = {f.pk for f in loaded if reaches_facility(user, f, *roles)}
        assert reached == expected, (name, roles)


def test_the_director_reaches_only_their_own_facility(facilities):
    lipjan, dubrava, nis = facilities
    director = _users(facilities)["director"]

    assert [reaches_facility(director, f, Role.DIRECTOR) for f in facilities] == [True, False, False]
    assert [reaches_facility(director, f, Role.PROGRAMME_OFFICER) for f in facilities] == [False, False, False]
