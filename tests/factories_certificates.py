"""Factories and builders for certificate tests: issuers, and cohorts whose people have finished a course."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import factory
import pytest

from certificates.models import Issuer, Signatory
from programs.models import Attendance, Cohort, Course, Enrolment, Session
from rehab.models import Facility, Organisation, Role
from tests.factories import (
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    FacilityFactory,
    InmateFactory,
    PrisonServiceFactory,
    RoleAssignmentFactory,
    SessionFactory,
    TrainingCentreFactory,
    UserFactory,
)


class IssuerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issuer

    organisation = factory.SubFactory(TrainingCentreFactory)
    serial_prefix = factory.Sequence(lambda n: f"TC{n}")


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    issuer = factory.SubFactory(IssuerFactory)
    name = "Bashkim Tejeci"
    title = "Filigree master coach"


# Written independently of the application's own list: what must never be printed on a certificate.
PRISON_WORDS = {
    "en": ["prison", "jail", "correctional", "inmate", "penitentiary", "detention"],
    "sq": ["burg", "të burgosur", "korrektuese"],
    "sr-latn": ["zatvor", "kazneno-popravni", "kpz"],
    "sr": ["затвор", "казнено-поправни", "кпз"],
    "mk": ["затвор", "казнено-поправен"],
    "bs": ["zatvor", "kazneno-popravni"],
}


def decode_qr(pdf: bytes, folder: Path) -> str:
    """The text of the QR code on the page, read the way a phone would: the page rasterised at 150 dpi
    (pdftoppm) and decoded by zbarimg. Skips the test when those tools are missing."""
    if not shutil.which("zbarimg") or not shutil.which("pdftoppm"):
        pytest.skip("zbarimg (Debian zbar-tools) and pdftoppm (poppler-utils) are needed to read the QR code back")
    (folder / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", str(folder / "certificate.pdf"), str(folder / "page")],
        check=True, capture_output=True,
    )
    return subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(folder / "page.png")], check=True, capture_output=True, text=True
    ).stdout.strip()


def registrar_for(organisation, **user_fields):
    """A user with the registrar role at the training centre."""
    return RoleAssignmentFactory(
        user=UserFactory(**user_fields), role=Role.REGISTRAR, facility=None, organisation=organisation
    ).user


def held_sessions(cohort: Cohort, count: int, *, cancelled: int = 0) -> list[Session]:
    """`count` held sessions on consecutive days from the cohort's start, then `cancelled` cancelled ones."""
    sessions = [
        SessionFactory(cohort=cohort, date=cohort.start_date + dt.timedelta(days=i), status=Session.Status.HELD)
        for i in range(count)
    ]
    for i in range(cancelled):
        SessionFactory(
            cohort=cohort,
            date=cohort.start_date + dt.timedelta(days=count + i),
            status=Session.Status.CANCELLED,
            cancellation_reason="Lockdown",
        )
    return sessions


def finish(
    enrolment: Enrolment,
    sessions: list[Session],
    *,
    attended: int,
    result: str = Enrolment.Result.PASSED,
    status: str = Enrolment.Status.COMPLETED,
    late: int = 0,
) -> Enrolment:
    """Mark `attended` sessions present (the first `late` of them late) and the rest absent, then close the
    enrolment with `status` and `result`."""
    for index, session in enumerate(sessions):
        if index < attended:
            mark = Attendance.Status.LATE if index < late else Attendance.Status.PRESENT
        else:
            mark = Attendance.Status.ABSENT
        Attendance.objects.create(session=session, enrolment=enrolment, status=mark)
    enrolment.status = status
    enrolment.final_result = result
    enrolment.save(update_fields=["status", "final_result"])
    return enrolment


def lipjan() -> Facility:
    """The women's prison the cohorts run in; its name must never appear on a certificate."""
    facility = Facility.objects.filter(name="Lipjan Correctional Centre for Women").first()
    if facility is None:
        service = Organisation.objects.filter(name="Kosovo Correctional Service").first() or PrisonServiceFactory(
            name="Kosovo Correctional Service", short_name="KCS"
        )
        facility = FacilityFactory(name="Lipjan Correctional Centre for Women", prison_service=service, city="Lipjan")
    return facility


def certified_cohort(
    *,
    issuer: Issuer | None = None,
    course: Course | None = None,
    facility=None,
    sessions: int = 10,
    cancelled: int = 0,
    **cohort_fields,
) -> tuple[Cohort, list[Session]]:
    """A cohort of a course certified by `issuer`, with held (and cancelled) sessions."""
    issuer = issuer or IssuerFactory()
    course = course or CourseFactory(
        issuer=issuer.organisation,
        title="Filigree jewellery making",
        title_translations={
            "sq": "Punimi i bizhuterive në filigran",
            "sr": "Израда филигранског накита",
            "sr-latn": "Izrada filigranskog nakita",
            "mk": "Изработка на филигрански накит",
            "bs": "Izrada filigranskog nakita",
        },
        language="sq",
        planned_hours=300,
        final_assessment_required=True,
    )
    facility = facility or lipjan()
    cohort_fields.setdefault("capacity", 10)
    cohort = CohortFactory(course=course, facility=facility, **cohort_fields)
    return cohort, held_sessions(cohort, sessions, cancelled=cancelled)


def graduate(cohort: Cohort, sessions: list[Session], *, first_name: str, last_name: str, attended: int | None = None,
             **finish_fields) -> Enrolment:
    """An inmate of the cohort's facility who finished the course."""
    inmate = InmateFactory(
        current_facility=cohort.facility, prison_service=cohort.facility.prison_service,
        first_name=first_name, last_name=last_name,
    )
    enrolment = EnrolmentFactory(cohort=cohort, inmate=inmate)
    return finish(enrolment, sessions, attended=len(sessions) if attended is None else attended, **finish_fields)

