"""The audit trail: services write entries with actor, reason, before and after, in the change's own transaction;
the system administrator reads it in the admin and nobody can edit it from the application."""

import copy
import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from inmates.models import RehabilitationPlan
from rehab.audit import audit_log
from tests.factories import InmateFactory, UserFactory
from tests.factories_casework import AssessmentFactory, RehabilitationPlanFactory, SensitiveReadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_audit_log_writes_before_and_after_with_actor_and_reason():
    plan = RehabilitationPlanFactory(summary="Find work in filigree.")
    user = UserFactory()
    before = copy.copy(plan)
    plan.summary = "Find work in filigree or IT."
    plan.next_review_on = dt.date(2026, 9, 1)

    audit_log([plan], action=LogEntry.Action.UPDATE, by=user, reason="Review", before={plan.pk: before})

    entry = LogEntry.objects.get_for_object(plan).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == user
    assert entry.additional_data == {"reason": "Review"}
    assert entry.changes_dict == {
        "summary": ["Find work in filigree.", "Find work in filigree or IT."],
        "next_review_on": ["2026-06-01", "2026-09-01"],
    }


def test_audit_log_writes_nothing_when_nothing_changed():
    plan = RehabilitationPlanFactory()
    entries = LogEntry.objects.count()

    audit_log([plan], action=LogEntry.Action.UPDATE, by=None, before={plan.pk: copy.copy(plan)})

    assert LogEntry.objects.count() == entries


def test_an_entry_is_rolled_back_with_its_change():
    plan = RehabilitationPlanFactory()
    entries = LogEntry.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        plan.summary = "Changed"
        plan.save()
        audit_log([plan], action=LogEntry.Action.UPDATE, by=None, before={plan.pk: RehabilitationPlan()})
        raise RuntimeError("the change fails")

    assert LogEntry.objects.count() == entries


def test_a_change_in_the_admin_is_audited_with_the_administrator_and_both_values(client, admin_user):
    plan = RehabilitationPlanFactory(summary="Old summary")
    client.force_login(admin_user)
    url = reverse("admin:inmates_rehabilitationplan_change", args=[plan.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {"summary": "New summary"}
    for prefix in ("goals", "interventions", "reviews"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = client.post(url, data)

    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(plan).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == admin_user
    assert entry.changes_dict["summary"] == ["Old summary", "New summary"]


def test_the_administrator_reads_the_audit_trail_and_cannot_change_it(client, admin_user):
    InmateFactory()  # registered with auditlog: its creation is an entry
    entry = LogEntry.objects.latest("pk")
    client.force_login(admin_user)

    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 200
    assert client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])).status_code == 200
    assert client.get(reverse("admin:auditlog_logentry_add")).status_code == 403
    assert client.post(reverse("admin:auditlog_logentry_change", args=[entry.pk]), {"action": 2}).status_code == 403
    assert client.post(reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_assessments_and_the_read_log_are_read_only_in_the_admin(client, admin_user):
    assessment = AssessmentFactory(notes="Original")
    read = SensitiveReadFactory()
    client.force_login(admin_user)

    for model, obj in (("assessment", assessment), ("sensitiveread", read)):
        assert client.get(reverse(f"admin:inmates_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:inmates_{model}_change", args=[obj.pk])).status_code == 200
        assert client.get(reverse(f"admin:inmates_{model}_add")).status_code == 403
        assert client.post(reverse(f"admin:inmates_{model}_change", args=[obj.pk]), {"notes": "x"}).status_code == 403
        assert client.post(reverse(f"admin:inmates_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assessment.refresh_from_db()
    assert assessment.notes == "Original"


def _views(resolver: URLResolver | None = None):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                yield from _views(entry)
        elif isinstance(entry, URLPattern):
            yield entry.callback


def test_no_screen_of_the_application_outside_the_admin_touches_the_audit_trail():
    modules = {view.__module__ for view in _views()}

    assert [module for module in modules if module.startswith("auditlog")] == []


def test_people_who_are_not_administrators_cannot_open_the_audit_trail(client):
    client.force_login(UserFactory())

    response = client.get(reverse("admin:auditlog_logentry_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
