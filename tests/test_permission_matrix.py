"""Every URL × every demo role: logged out → login, no right → 403, out of scope → 404, allowed → the page.

The matrix is kept complete automatically: a URL added to the project without a row here fails
`test_every_url_is_in_the_matrix`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
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

ROLES = ("admin", "director", "trainer", "registrar", "casemanager", "probation", "officer", "donor")
EVERYONE = frozenset(ROLES)

# URLs that are not the application's own screens, or that answer everyone by design.
NOT_IN_MATRIX = {"login", "logout", "set_language"}


@dataclass
class Row:
    """One URL called with one set of arguments, and the status each role gets."""

    name: str
    kwargs: Callable[[SimpleNamespace], dict] = lambda demo: {}
    ok: frozenset[str] = frozenset()  # 200
    hidden: frozenset[str] = frozenset()  # 404: the role could use the page but the record is outside its scope
    public: bool = False  # anyone, logged in or not, gets 200
    query: str = ""
    method: str = "get"  # POST-only endpoints are called with an empty POST
    statuses: dict[str, int] = field(default_factory=dict)  # other exact statuses (302 redirects, 405, 410…)

    def expected(self, role: str | None) -> int:
        if self.public:
            return self.statuses.get(role or "anonymous", 200)
        if role is None:
            return 302
        if role in self.statuses:
            return self.statuses[role]
        if role in self.ok:
            return 200
        if role in self.hidden:
            return 404
        return 403


def _s(*roles: str) -> frozenset[str]:
    return frozenset(roles)


ADMIN, DIRECTOR, TRAINER, OFFICER, CASEWORK = "admin", "director", "trainer", "officer", "casemanager"
MANAGERS = _s(ADMIN, DIRECTOR, OFFICER)  # run programmes in their facilities
OVERSEERS = MANAGERS | {CASEWORK}  # also read lists, dashboards and profiles
DELIVERY = _s(ADMIN, DIRECTOR, TRAINER)  # registers, cancellations, final assessments
REGISTRAR = "registrar"
CERTS = _s(ADMIN, REGISTRAR)

# In scope of the demo director and trainer: Lipjan and "Filigree – group A". Out of every Kosovo scope: Niš.
MATRIX: list[Row] = [
    Row("home", ok=EVERYONE),
    Row("password_change", ok=EVERYONE),
    Row("password_change_done", ok=EVERYONE),
    Row("healthz", public=True),
    # Trainer screens
    Row("programs:today", ok=DELIVERY),
    Row("programs:week", ok=DELIVERY),
    Row("programs:register", lambda d: {"pk": d.group_a_session.pk}, ok=DELIVERY),
    Row("programs:register", lambda d: {"pk": d.nis_session.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, TRAINER)),
    Row("programs:session_cancel", lambda d: {"pk": d.group_a_next.pk}, ok=DELIVERY),
    Row("programs:session_cancel", lambda d: {"pk": d.nis_session.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, TRAINER)),
    Row("programs:final_assessment", lambda d: {"pk": d.group_a.pk}, ok=DELIVERY),
    Row("programs:final_assessment", lambda d: {"pk": d.nis.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, TRAINER)),
    # The group has not ended yet: allowed users are sent back with the reason, nothing is completed.
    Row("programs:cohort_complete", lambda d: {"pk": d.group_a.pk}, method="post", statuses={r: 302 for r in DELIVERY}),
    Row("programs:cohort_complete", lambda d: {"pk": d.nis.pk}, method="post", statuses={ADMIN: 302},
        hidden=_s(DIRECTOR, TRAINER)),
    Row("programs:facility_cancel", lambda d: {"pk": d.lipjan.pk}, ok=MANAGERS),
    Row("programs:facility_cancel", lambda d: {"pk": d.nis_facility.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    # Cohorts and enrolment
    Row("programs:cohort_detail", lambda d: {"pk": d.group_a.pk}, ok=MANAGERS | {TRAINER}),
    Row("programs:cohort_detail", lambda d: {"pk": d.it2.pk}, ok=MANAGERS, hidden=_s(TRAINER)),
    Row("programs:cohort_detail", lambda d: {"pk": d.nis.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER, TRAINER)),
    Row("programs:cohort_create", query="facility={lipjan}", ok=MANAGERS),
    Row("programs:cohort_edit", lambda d: {"pk": d.group_a.pk}, ok=MANAGERS),
    Row("programs:cohort_edit", lambda d: {"pk": d.nis.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    Row("programs:waitlist", lambda d: {"pk": d.it2.pk}, ok=MANAGERS),
    Row("programs:waitlist", lambda d: {"pk": d.nis.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    Row("programs:waitlist_add", lambda d: {"pk": d.it2.pk}, ok=MANAGERS),
    Row("programs:waitlist_add", lambda d: {"pk": d.nis.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    Row("programs:waitlist_enrol", lambda d: {"pk": d.it2.pk, "kind": "enrolment", "entry_pk": d.it2_waiting.pk}, ok=MANAGERS),
    Row("programs:waitlist_enrol", lambda d: {"pk": d.it2.pk, "kind": "request", "entry_pk": d.lipjan_request.pk}, ok=MANAGERS),
    Row("programs:waitlist_enrol", lambda d: {"pk": d.nis.pk, "kind": "request", "entry_pk": d.nis_request.pk},
        ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    Row("programs:enrol", lambda d: {"pk": d.it2.pk}, ok=MANAGERS),
    Row("programs:enrol", lambda d: {"pk": d.nis.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    Row("programs:enrolment_withdraw", lambda d: {"pk": d.group_a_enrolment.pk}, ok=MANAGERS),
    Row("programs:enrolment_withdraw", lambda d: {"pk": d.nis_enrolment.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    Row("programs:course_requests", ok=MANAGERS),
    Row("programs:course_waitlist", lambda d: {"pk": d.it2.course_id}, ok=MANAGERS),
    Row("programs:course_request_cancel", lambda d: {"pk": d.lipjan_request.pk}, ok=MANAGERS),
    Row("programs:course_request_cancel", lambda d: {"pk": d.nis_request.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    # Lists, dashboards, exports
    Row("programs:dashboards", ok=_s(ADMIN, OFFICER), statuses={DIRECTOR: 302, CASEWORK: 302}),
    Row("programs:dashboard", lambda d: {"pk": d.lipjan.pk}, ok=OVERSEERS),
    Row("programs:dashboard", lambda d: {"pk": d.nis_facility.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER, CASEWORK)),
    Row("programs:cohort_list", ok=OVERSEERS),
    Row("programs:session_list", ok=OVERSEERS),
    Row("programs:enrolment_list", ok=OVERSEERS),
    Row("programs:waitlist_list", ok=OVERSEERS),
    Row("programs:cohort_roster_export", lambda d: {"pk": d.group_a.pk}, query="format=csv", ok=OVERSEERS | {TRAINER}),
    Row("programs:cohort_roster_export", lambda d: {"pk": d.nis.pk}, query="format=xlsx", ok=_s(ADMIN),
        hidden=_s(DIRECTOR, OFFICER, CASEWORK, TRAINER)),
    Row("programs:cohort_register_export", lambda d: {"pk": d.group_a.pk}, query="format=xlsx", ok=OVERSEERS | {TRAINER}),
    Row("programs:cohort_register_export", lambda d: {"pk": d.nis.pk}, query="format=csv", ok=_s(ADMIN),
        hidden=_s(DIRECTOR, OFFICER, CASEWORK, TRAINER)),
    # Certificates (the demo registrar works for the training centre that certifies the Lipjan courses)
    Row("certificates:cohort_list", ok=CERTS),
    Row("certificates:cohort_detail", lambda d: {"pk": d.first_group.pk}, ok=CERTS),
    # The Niš workshop's course has no certifying centre: there is nothing to certify, for anyone.
    Row("certificates:cohort_detail", lambda d: {"pk": d.nis.pk}, hidden=CERTS),
    Row("certificates:cohort_issue", lambda d: {"pk": d.first_group.pk}, method="post", statuses={r: 302 for r in CERTS}),
    Row("certificates:cohort_issue", lambda d: {"pk": d.nis.pk}, method="post", hidden=CERTS),
    Row("certificates:print_pack_create", lambda d: {"pk": d.first_group.pk}, method="post",
        statuses={r: 302 for r in CERTS}),
    Row("certificates:enrolment_override", lambda d: {"pk": d.not_eligible.pk}, ok=CERTS),
    Row("certificates:enrolment_override", lambda d: {"pk": d.nis_enrolment.pk}, hidden=CERTS),
    Row("certificates:batch_detail", lambda d: {"pk": d.batch.pk}, ok=CERTS),
    Row("certificates:batch_progress", lambda d: {"pk": d.batch.pk}, ok=CERTS),
    Row("certificates:batch_retry", lambda d: {"pk": d.batch.pk}, method="post", statuses={r: 302 for r in CERTS}),
    Row("certificates:certificate_detail", lambda d: {"pk": d.certificate.pk}, ok=CERTS),
    Row("certificates:certificate_download", lambda d: {"pk": d.certificate.pk}, ok=CERTS),
    Row("certificates:certificate_revoke", lambda d: {"pk": d.certificate.pk}, method="post",
        statuses={r: 302 for r in CERTS}),
    Row("certificates:certificate_reissue", lambda d: {"pk": d.certificate.pk}, ok=CERTS),
    Row("certificates:print_pack_detail", lambda d: {"pk": d.print_pack.pk}, ok=CERTS),
    Row("certificates:print_pack_download", lambda d: {"pk": d.print_pack.pk}, ok=CERTS),
    Row("certificates:issuer_detail", lambda d: {"pk": d.vtc.pk}, ok=CERTS),
    Row("certificates:issuer_detail", lambda d: {"pk": d.lipjan.prison_service_id}, ok=_s(), hidden=CERTS),
    Row("certificates:template_edit", lambda d: {"pk": d.vtc.pk}, ok=CERTS),
    # An empty preview request is refused as bad input once the role and scope are checked.
    Row("certificates:template_preview", lambda d: {"pk": d.vtc.pk}, method="post", statuses={r: 400 for r in CERTS}),
    Row("certificates:verify", lambda d: {"token": d.certificate.verification_token}, public=True),
    # People in custody
    Row("inmates:list", ok=OVERSEERS),
    Row("inmates:import", ok=_s(ADMIN, DIRECTOR)),
    Row("inmates:detail", lambda d: {"pk": d.lipjan_inmate.pk}, ok=OVERSEERS),
    Row("inmates:detail", lambda d: {"pk": d.nis_inmate.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER, CASEWORK)),
]


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
    return SimpleNamespace(
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
