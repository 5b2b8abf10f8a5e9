import datetime as dt

import pytest
from django.utils import timezone

from programs.models import Course, Enrolment
from rehab.models import Gender, Role
from tests.conftest import browser_login
from tests.factories import (
    PASSWORD,
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    FacilityFactory,
    InmateFactory,
    RoleAssignmentFactory,
    SessionFactory,
)
from tests.factories_dashboard import AttendanceFactory, days_ago


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_director_opens_the_dashboard_and_the_charts_are_drawn(live_server, desktop):
    facility = FacilityFactory(name="Lipjan")
    user = RoleAssignmentFactory(role=Role.DIRECTOR, facility=facility).user
    cohort = CohortFactory(
        facility=facility,
        course=CourseFactory(kind=Course.Kind.CRAFTS),
        start_date=days_ago(30),
        end_date=timezone.localdate() + dt.timedelta(days=30),
    )
    arta = EnrolmentFactory(cohort=cohort, inmate=InmateFactory(current_facility=facility, gender=Gender.FEMALE))
    EnrolmentFactory(cohort=cohort, status=Enrolment.Status.WAITLISTED)
    session = SessionFactory(cohort=cohort, date=days_ago(7), status="held")
    AttendanceFactory(session=session, enrolment=arta, status="present")

    browser_login(desktop, live_server, user.username, PASSWORD)
    desktop.goto(f"{live_server.url}/programs/dashboard/")
    desktop.wait_for_url(f"{live_server.url}/programs/facilities/{facility.pk}/dashboard/")
    desktop.wait_for_selector("#chart-attendance")
    desktop.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-attendance'))")

    attendance = desktop.evaluate(
        """() => {
            const chart = Chart.getChart(document.getElementById('chart-attendance'));
            return {type: chart.config.type, labels: chart.data.labels.length, points: chart.getDatasetMeta(0).data.length,
                    values: chart.data.datasets[0].data.filter(v => v !== null)};
        }"""
    )
    kinds = desktop.evaluate("() => Chart.getChart(document.getElementById('chart-kinds')).data.datasets[0].data")
    genders = desktop.evaluate(
        "() => Chart.getChart(document.getElementById('chart-genders')).data.datasets.map(d => d.data)"
    )

    assert attendance == {"type": "line", "labels": 12, "points": 12, "values": [100]}
    assert kinds == [0, 0, 1, 0, 0, 0]
    assert genders == [[1, 0, 0], [1, 0, 0]]
    assert desktop.locator("[data-testid=in-custody]").inner_text() == "2"
    assert desktop.locator("[data-testid=waitlisted]").inner_text() == "1"
    assert desktop.evaluate("() => document.getElementById('chart-attendance').getBoundingClientRect().height") > 100
