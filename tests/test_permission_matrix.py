"""Every URL × every demo role: logged out → login, no right → 403, out of scope → 404, allowed → the page.

The matrix is kept complete automatically: a URL added to the project without a row here fails
`test_every_url_is_in_the_matrix`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from certificates.models import Certificate, IssuanceBatch
from certificates.services import print_pack_build, print_pack_request
from inmates.models import Inmate
from programs.models import Cohort, Enrolment, Session
from programs.services.enrolment import enrolment_request
from rehab.models import Facility, Organisation
from tests import matrix
from tests.matrix import NOT_IN_MATRIX, ROLES, Row


def _area_modules() -> list:
    return [importlib.import_module(f"tests.matrix.{info.name}") for info in pkgutil.iter_modules(matrix.__path__)]


MATRIX: list[Row] = [row for module in _area_modules() for row in module.ROWS]


def _all_url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _all_url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_is_in_the_matrix():
    covered = {row.name for row in MATRIX}

    assert sorted(_all_url_names() - covered - NOT_IN_MATRIX) == []



@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    # seed_demo renders certificate PDFs; keep them out of the project's var/.
    settings.PRIVATE_MEDIA_ROOT = tmp_path


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, stdout=StringIO())
    today = timezone.localdate()
    group_a = Cohort.objects.get(name="Filigree – group A")
    it2 = Cohort.objects.get(name="IT basics – group 2")
    nis = Cohort.objects.get(name="Anger management – online workshop")
    lipjan_inmate = Inmate.objects.filter(current_facility__code="lipjan", status="in_custody", enrolments=None).first()
    nis_inmate = Inmate.objects.filter(current_facility__code="kpz-nis", status="in_custody").first()
    first_group = Cohort.objects.get(name="Filigree – first group")
    certificate = Certificate.objects.filter(enrolment__cohort=first_group, status=Certificate.Status.READY).first()
    demo = SimpleNamespace(
        first_group=first_group,
        certificate=certificate,
        batch=IssuanceBatch.objects.filter(certificates=certificate).first(),
        not_eligible=first_group.enrolments.filter(certificates=None).first(),
        print_pack=print_pack_build(pack_id=print_pack_request(cohort=first_group, kind="pdf", by=None).pk),
        vtc=Organisation.objects.get(name="Vocational Training Center Prizren"),
        today=today,
        lipjan=Facility.objects.get(code="lipjan"),
        nis_facility=Facility.objects.get(code="kpz-nis"),
        group_a=group_a,
        it2=it2,
        it2_waiting=it2.enrolments.filter(status=Enrolment.Status.WAITLISTED).first(),
        nis=nis,
        group_a_next=group_a.sessions.filter(date__gt=today, status=Session.Status.SCHEDULED).first(),
        group_a_session=group_a.sessions.filter(date__lt=today, status=Session.Status.HELD).last(),
        nis_session=nis.sessions.filter(status=Session.Status.HELD).first(),
        lipjan_inmate=lipjan_inmate,
        nis_inmate=nis_inmate,
        lipjan_request=enrolment_request(course=it2.course, facility=it2.facility, inmate=lipjan_inmate),
        nis_request=enrolment_request(course=nis.course, facility=nis.facility, inmate=nis_inmate),
        group_a_enrolment=group_a.enrolments.filter(status=Enrolment.Status.ENROLLED).first(),
        nis_enrolment=nis.enrolments.first(),
        yesterday=today - dt.timedelta(days=1),
    )
    for module in _area_modules():
        if hasattr(module, "demo_extras"):
            for key, value in module.demo_extras(demo).items():
                setattr(demo, key, value)
    return demo


def test_every_role_gets_the_expected_status_on_every_url(demo):
    users = {user.username: user for user in get_user_model().objects.filter(username__in=ROLES)}
    assert sorted(users) == sorted(ROLES)
    mismatches = []
    for row in MATRIX:
        query = row.query.format(lipjan=demo.lipjan.pk)
        url = reverse(row.name, kwargs=row.kwargs(demo)) + (f"?{query}" if query else "")
        for role in (None, *ROLES):
            client = Client()
            if role:
                client.force_login(users[role])
            response = getattr(client, row.method)(url)
            expected = row.expected(role)
            if response.status_code != expected:
                mismatches.append(f"{row.name} {url} as {role or 'anonymous'}: {response.status_code} != {expected}")
            elif role is None and expected == 302:
                if not response["Location"].startswith("/accounts/login/"):
                    mismatches.append(f"{row.name} as anonymous redirects to {response['Location']}")

    assert "\n".join(mismatches) == ""
