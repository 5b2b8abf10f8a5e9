"""Every form of the project fed random input (hypothesis) by its allowed role: never a 500, and when the answer is
not a redirect (the form shown again, 400, 403…) not one row changed anywhere.

The fields are read from the rendered form itself (inputs, selects with their options, textareas, named submit
buttons), so a form that gains a field is fuzzed on it without touching this file. Adding a form is one line in
FORMS. Examples are bounded and derandomised, so a run is fast and the same every time; FUZZ_EXAMPLES=200 for a
longer local hunt.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from inmates.forms import IMPORT_COLUMNS
from tests.test_permission_matrix import demo, private_media  # noqa: F401 - fixtures used by name

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# Tables whose rows may legitimately appear on a refused request: failed log-ins (axes), sessions, audit trails.
NOT_COUNTED_APPS = {"axes", "sessions", "admin", "auditlog", "contenttypes"}


@dataclass(frozen=True)
class FormCase:
    """The page showing a form (URL name, kwargs from the demo, query), who fills it, and where it posts."""

    name: str
    role: str | None
    kwargs: Callable[[SimpleNamespace], dict] = lambda d: {}
    query: str = ""
    post: str | None = None  # URL name the form posts to, when not the page itself (same kwargs)
    files: dict[str, str] = field(default_factory=dict)  # file field name -> kind of content ("table", "image")

    def __str__(self) -> str:
        return f"{self.post or self.name} as {self.role or 'anonymous'}"


FORMS: list[FormCase] = [
    FormCase("login", None),
    FormCase("password_change", "director"),
    FormCase("programs:cohort_create", "director", query="facility={lipjan}"),
    FormCase("programs:cohort_edit", "director", lambda d: {"pk": d.group_a.pk}),
    FormCase("programs:enrol", "director", lambda d: {"pk": d.it2.pk}),
    FormCase("programs:waitlist", "director", lambda d: {"pk": d.it2.pk}, post="programs:waitlist_add"),
    FormCase("programs:waitlist_enrol", "director", lambda d: {"pk": d.it2.pk, "kind": "request",
                                                               "entry_pk": d.lipjan_request.pk}),
    FormCase("programs:course_waitlist", "director", lambda d: {"pk": d.it2.course_id}),
    FormCase("programs:course_request_cancel", "director", lambda d: {"pk": d.lipjan_request.pk}),
    FormCase("programs:enrolment_withdraw", "director", lambda d: {"pk": d.group_a_enrolment.pk}),
    FormCase("programs:session_cancel", "trainer", lambda d: {"pk": d.group_a_next.pk}),
    FormCase("programs:facility_cancel", "director", lambda d: {"pk": d.lipjan.pk}),
    FormCase("programs:register", "trainer", lambda d: {"pk": d.group_a_session.pk}),
    FormCase("programs:final_assessment", "trainer", lambda d: {"pk": d.group_a.pk}),
    FormCase("inmates:import", "director", files={"file": "table"}),
    FormCase("certificates:enrolment_override", "registrar", lambda d: {"pk": d.not_eligible.pk}),
    FormCase("certificates:certificate_reissue", "registrar", lambda d: {"pk": d.certificate.pk}),
    FormCase("certificates:template_edit", "registrar", lambda d: {"pk": d.vtc.pk}),
    FormCase("certificates:template_edit", "registrar", lambda d: {"pk": d.vtc.pk}, post="certificates:template_preview"),
    FormCase("certificates:issuer_detail", "registrar", lambda d: {"pk": d.vtc.pk}, files={"*": "image"}),
    # Casework, movements, staff training, funding (issues 5 and 6)
    FormCase("programs:inmate_movement", "director", lambda d: {"pk": d.lipjan_inmate.pk}),
    FormCase("inmates:assessment_create", "casemanager", lambda d: {"pk": d.lipjan_inmate.pk, "instrument": d.vep.code}),
    FormCase("programs:referral_create", "casemanager", lambda d: {"pk": d.lipjan_inmate.pk}),
    FormCase("programs:cohort_staff", "admin", lambda d: {"pk": d.nis.pk}),  # a mixed online workshop
    FormCase("programs:funding_action_create", "officer"),
    FormCase("programs:funding_action_edit", "officer", lambda d: {"pk": d.action.pk}),
    FormCase("programs:funding_action_cohorts", "officer", lambda d: {"pk": d.action.pk}),
    FormCase("programs:donation_create", "director", lambda d: {"pk": d.lipjan.pk}),
    FormCase("programs:equipment_edit", "director", lambda d: {"pk": d.lipjan_item.pk}),
    FormCase("programs:donor_report_pdf", "donor"),
]


# ---------------------------------------------------------------- reading a form out of the page


@dataclass
class Field:
    name: str
    kind: str  # text, number, date, time, datetime-local, email, url, select, checkbox, radio, hidden, file, textarea
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False


class _FormParser(HTMLParser):
    """Collects the POST forms of a page: their action and their named fields."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[set[str], dict[str, Field]]] = []
        self._fields: dict[str, Field] | None = None
        self._targets: set[str] = set()
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._fields = {}
            self._targets = {a.get("action", "")}
            self.forms.append((self._targets, self._fields))
        if self._fields is None:
            return
        if a.get("formaction"):  # a submit button sending the same fields elsewhere (a preview)
            self._targets.add(a["formaction"])
        name = a.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and name in self._fields:
                self._fields[name].options.append(a.get("value", "on"))
            else:
                options = [a.get("value", "on")] if kind in ("checkbox", "radio") else []
                self._fields[name] = Field(name, kind, a.get("value", ""), options=options)
        elif tag == "button" and name:
            current = self._fields.setdefault(name, Field(name, "radio"))
            current.options.append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = self._fields[name] = Field(name, "select", multiple="multiple" in a)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = self._fields[name] = Field(name, "textarea")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_fields(html: str, page_path: str, post_path: str) -> dict[str, Field]:
    parser = _FormParser()
    parser.feed(html)
    for actions, fields in parser.forms:
        if post_path in {urlsplit(action).path if action else page_path for action in actions}:
            return fields
    raise AssertionError(f"no POST form to {post_path} on {page_path}: {[actions for actions, _ in parser.forms]}")


# ---------------------------------------------------------------- random values

EDGE_STRINGS = [
    "", " ", "0", "-1", "1.5", "99999999999999999999999", "1e309", "NaN", "-0", "2026-02-30", "31/12/2026",
    "0000-00-00", "24:61", "\x00", "a\x00b", "<script>alert(1)</script>", "' OR 1=1 --", "Ж" * 300, "🙂" * 50,
    "../../etc/passwd", "%s%n", "\r\n", "true", "None", "[]", "{}",
]
edge = st.sampled_from(EDGE_STRINGS)
any_text = st.text(max_size=300)
numbers = st.one_of(st.integers(-(10**15), 10**15), st.floats(allow_nan=True, allow_infinity=True)).map(str)
dates = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat)
times = st.times().map(lambda t: t.isoformat(timespec="minutes"))


def _value_strategy(f: Field) -> st.SearchStrategy:
    garbage = st.one_of(edge, any_text, numbers)
    if f.kind in ("select", "radio") and f.options:
        choice = st.sampled_from(f.options)
        if f.multiple:
            return st.lists(st.one_of(choice, garbage), max_size=4)
        return st.one_of(choice, garbage)
    if f.kind == "checkbox":
        return st.one_of(st.sampled_from(f.options), st.none(), garbage)
    if f.kind == "number":
        return st.one_of(numbers, garbage, st.just(f.value))
    if f.kind == "date":
        return st.one_of(dates, garbage, st.just(f.value))
    if f.kind == "time":
        return st.one_of(times, garbage, st.just(f.value))
    if f.kind == "hidden":
        # Formset management fields and the like: mostly as rendered, sometimes tampered with.
        return st.one_of(st.just(f.value), st.just(f.value), garbage)
    return st.one_of(garbage, st.just(f.value), dates)


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    for row in rows:
        # Control characters cannot be stored in a worksheet at all; a spreadsheet program would not write them.
        book.active.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_cell = st.one_of(edge, st.text(max_size=30), dates, numbers, st.sampled_from(["F", "M", "f", "sq", "sr", "en"]))
_table = st.lists(st.lists(_cell, min_size=0, max_size=len(IMPORT_COLUMNS) + 2), max_size=6)
_header = st.one_of(st.just(list(IMPORT_COLUMNS)), st.permutations(IMPORT_COLUMNS).map(list),
                    st.lists(st.sampled_from([*IMPORT_COLUMNS, "junk", ""]), max_size=10))


@st.composite
def _table_file(draw) -> SimpleUploadedFile:
    rows = [draw(_header), *draw(_table)]
    kind = draw(st.sampled_from(["csv", "xlsx", "bytes", "csv-as-xlsx"]))
    if kind == "csv":
        content = "\n".join(",".join(row) for row in rows).encode(draw(st.sampled_from(["utf-8", "utf-16", "cp1250"])),
                                                                 errors="replace")
        return SimpleUploadedFile("people.csv", content, content_type="text/csv")
    if kind == "xlsx":
        return SimpleUploadedFile("people.xlsx", _xlsx(rows))
    if kind == "csv-as-xlsx":
        return SimpleUploadedFile("people.xlsx", b"registration_number,first_name\n1,A\n")
    return SimpleUploadedFile(draw(st.sampled_from(["people.csv", "people.xlsx", "people.txt", "x"])),
                              draw(st.binary(max_size=3000)))


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f3f2ee0000000049454e44ae426082"
)


@st.composite
def _image_file(draw) -> SimpleUploadedFile | None:
    kind = draw(st.sampled_from(["none", "png", "bytes", "truncated-png"]))
    if kind == "none":
        return None
    content = {"png": _PNG, "truncated-png": _PNG[:30]}.get(kind) or draw(st.binary(max_size=2000))
    return SimpleUploadedFile(draw(st.sampled_from(["logo.png", "sign.jpg", "x.svg", "noext"])), content)


def _file_strategy(case: FormCase, f: Field) -> st.SearchStrategy:
    kind = case.files.get(f.name) or case.files.get("*") or "bytes"
    if kind == "table":
        return _table_file()
    if kind == "image":
        return _image_file()
    return st.binary(max_size=2000).map(lambda b: SimpleUploadedFile("upload.bin", b))


@st.composite
def payloads(draw, case: FormCase, fields: dict[str, Field]) -> dict:
    data: dict = {}
    for f in fields.values():
        if draw(st.integers(0, 9), label=f"omit {f.name}?") == 0:
            continue  # a field left out of the request altogether
        value = draw(_file_strategy(case, f) if f.kind == "file" else _value_strategy(f), label=f.name)
        if value is not None:
            data[f.name] = value
    return data


# ---------------------------------------------------------------- the invariant


def _row_counts() -> dict[str, int]:
    tables = sorted(
        model._meta.db_table for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in NOT_COUNTED_APPS and model._meta.managed and not model._meta.proxy
    )
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {connection.ops.quote_name(t)}" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def _changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {t: (before[t], after[t]) for t in before if before[t] != after[t]}


def _fuzz(case: FormCase, demo_ns, users) -> None:  # noqa: F811
    client = Client()
    if case.role:
        client.force_login(users[case.role])
    query = case.query.format(lipjan=demo_ns.lipjan.pk)
    kwargs = case.kwargs(demo_ns)
    page = reverse(case.name, kwargs=kwargs)
    post_url = reverse(case.post, kwargs=kwargs) if case.post else page
    shown = client.get(page + (f"?{query}" if query else ""))
    assert shown.status_code == 200, f"{case}: the form page answered {shown.status_code}"
    fields = form_fields(shown.content.decode(), page, post_url)

    @hypothesis_settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=False,
        # No shrinking: the failing request is printed as generated, and shrinking could take minutes per form.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                               HealthCheck.function_scoped_fixture],
    )
    @given(data=payloads(case, fields))
    def post_random(data: dict) -> None:
        # Each example starts from the same demo data: whatever it saved is rolled back afterwards.
        savepoint = transaction.savepoint()
        try:
            before = _row_counts()
            response = client.post(post_url + (f"?{query}" if query else ""), data)
            assert response.status_code < 500, f"{response.status_code} for {data!r}"
            if not 300 <= response.status_code < 400:
                changed = _changed(before, _row_counts())
                assert changed == {}, f"{response.status_code} but rows changed {changed} for {data!r}"
        finally:
            transaction.savepoint_rollback(savepoint)

    post_random()


@pytest.mark.slow
@pytest.mark.postgres
def test_every_form_survives_random_input(demo, settings):  # noqa: F811
    # Every log-in and password-change example checks a password: a fast hasher keeps that to milliseconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users = {user.username: user for user in get_user_model().objects.all()}
    for user in users.values():
        user.set_password("rehab-demo")
        user.save(update_fields=["password"])
    failures, seconds = [], {}
    for case in FORMS:
        started = time.monotonic()
        try:
            _fuzz(case, demo, users)
        except Exception as exc:  # noqa: BLE001 - every form is tried; all failures are reported together
            failures.append(f"{case}: {type(exc).__name__}: {exc}")
        seconds[str(case)] = round(time.monotonic() - started, 1)
    print(f"seconds per form ({EXAMPLES} examples each): {seconds}")

    assert "\n\n".join(failures) == ""


def test_the_form_reader_finds_every_kind_of_field():
    html = """
    <form method="post" action="/i18n/setlang/"><button name="language" value="sq">sq</button></form>
    <form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input name="title" value="Filigree"><input type="date" name="start">
      <select name="room"><option value="">---</option><option value="7">A</option></select>
      <input type="checkbox" name="online" value="on"><textarea name="note">hello</textarea>
      <input type="radio" name="status" value="present"><input type="radio" name="status" value="absent">
      <input type="file" name="file"><button type="submit" name="action" value="preview">Preview</button>
    </form>"""

    fields = form_fields(html, "/programs/cohorts/new/", "/programs/cohorts/new/")

    assert {name: (f.kind, f.value, f.options) for name, f in fields.items()} == {
        "title": ("text", "Filigree", []),
        "start": ("date", "", []),
        "room": ("select", "", ["", "7"]),
        "online": ("checkbox", "on", ["on"]),
        "note": ("textarea", "hello", []),
        "status": ("radio", "present", ["present", "absent"]),
        "file": ("file", "", []),
        "action": ("radio", "", ["preview"]),
    }
