"""Importing people in custody from CSV or XLSX: all rows valid or nothing saved, errors by row number."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from inmates.models import CustodyEvent, Inmate
from inmates.services import inmates_import
from rehab.models import Role
from tests.factories import FacilityFactory, InmateFactory
from tests.factories_dashboard import director_of, user_with_role

pytestmark = pytest.mark.django_db

HEADER = "registration_number,first_name,last_name,gender,date_of_birth,admission_date,expected_release_date,preferred_language"


def csv_file(*lines: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEADER, *lines]) + "\n").encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[list]) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("people.xlsx", buffer.getvalue())


@pytest.fixture
def lipjan():
    return FacilityFactory(name="Lipjan")


def post(client, facility, upload):
    return client.post(reverse("inmates:import"), {"facility": facility.pk, "file": upload})


def test_a_valid_csv_admits_everyone_with_an_admission_event(client, lipjan):
    director = director_of(lipjan)
    client.force_login(director)
    upload = csv_file(
        "KCS-100,Arta,Krasniqi,F,1990-05-17,2025-01-10,2028-01-10,sq",
        "KCS-101,Јована,Петровић,f,,01.02.2025,,",
    )

    response = post(client, lipjan, upload)

    assert response.status_code == 302
    assert response["Location"] == f"/inmates/?facility={lipjan.pk}"
    people = list(Inmate.objects.order_by("registration_number"))
    assert [
        (
            p.registration_number,
            p.first_name,
            p.last_name,
            p.gender,
            p.date_of_birth,
            p.admission_date,
            p.expected_release_date,
            p.preferred_language,
        )
        for p in people
    ] == [
        ("KCS-100", "Arta", "Krasniqi", "F", dt.date(1990, 5, 17), dt.date(2025, 1, 10), dt.date(2028, 1, 10), "sq"),
        ("KCS-101", "Јована", "Петровић", "F", None, dt.date(2025, 2, 1), None, "en"),
    ]
    assert {(p.current_facility, p.prison_service, p.status) for p in people} == {
        (lipjan, lipjan.prison_service, "in_custody")
    }
    assert [
        (e.inmate.registration_number, e.kind, e.date, e.to_facility, e.recorded_by)
        for e in CustodyEvent.objects.order_by("inmate__registration_number")
    ] == [
        ("KCS-100", "admission", dt.date(2025, 1, 10), lipjan, director),
        ("KCS-101", "admission", dt.date(2025, 2, 1), lipjan, director),
    ]
    page = client.get(response["Location"]).content.decode()
    assert "2 people were imported into Lipjan." in page


def test_a_valid_xlsx_with_date_cells_and_numeric_numbers(client, lipjan):
    client.force_login(director_of(lipjan))
    upload = xlsx_file(
        [[4711, "Marko", "Marković", "M", dt.datetime(1985, 2, 3), dt.datetime(2024, 6, 1), None, "sr-latn"]]
    )

    response = post(client, lipjan, upload)

    assert response.status_code == 302
    person = Inmate.objects.get()
    assert (person.registration_number, person.date_of_birth, person.admission_date, person.preferred_language) == (
        "4711",
        dt.date(1985, 2, 3),
        dt.date(2024, 6, 1),
        "sr-latn",
    )
    assert client.get(response["Location"]).context["page"].object_list[0] == person


def test_one_bad_row_saves_nothing_and_every_error_names_its_row(client, lipjan):
    InmateFactory(current_facility=FacilityFactory(prison_service=lipjan.prison_service), registration_number="KCS-7")
    client.force_login(director_of(lipjan))
    upload = csv_file(
        "KCS-100,Arta,Krasniqi,F,1990-05-17,2025-01-10,,sq",  # row 2: fine
        "KCS-101,Besa,Gashi,F,17/05/1990,2025-01-10,,",  # row 3: bad date
        "KCS-7,Drita,Berisha,Q,,,,",  # row 4: taken number, bad gender, no admission
        "KCS-100,Era,Hoxha,F,,2025-03-01,2025-02-01,de",  # row 5: repeated number, release before admission, language
    )

    response = post(client, lipjan, upload)

    assert response.status_code == 200
    assert response.context["errors"] == [
        "Row 3: date_of_birth: Enter a valid date.",
        f"Row 4: registration_number: KCS-7 is already registered in {lipjan.prison_service.name}.",
        "Row 4: gender: Select a valid choice. Q is not one of the available choices.",
        "Row 4: admission_date: This field is required.",
        "Row 5: registration_number: KCS-100 is also on row 2.",
        "Row 5: expected_release_date: The release date is before the admission date.",
        "Row 5: preferred_language: Select a valid choice. de is not one of the available choices.",
    ]
    assert Inmate.objects.count() == 1  # only the one that was there
    assert CustodyEvent.objects.count() == 0
    page = response.content.decode()
    assert "<li>Row 3: date_of_birth: Enter a valid date.</li>" in page
    assert "Nothing was imported: correct the rows below and upload the file again." in page


def test_numbers_taken_in_the_prison_service_or_repeated_in_the_file_are_errors(lipjan):
    InmateFactory(current_facility=FacilityFactory(prison_service=lipjan.prison_service), registration_number="KCS-7")
    InmateFactory(registration_number="KCS-8")  # another prison service: no clash
    rows = [
        {
            "registration_number": "KCS-7",
            "first_name": "Drita",
            "last_name": "Berisha",
            "gender": "F",
            "admission_date": "2025-01-10",
        },
        {
            "registration_number": "KCS-8",
            "first_name": "Era",
            "last_name": "Hoxha",
            "gender": "F",
            "admission_date": "2025-01-10",
        },
        {
            "registration_number": "KCS-8",
            "first_name": "Fjolla",
            "last_name": "Kelmendi",
            "gender": "F",
            "admission_date": "2025-01-10",
        },
    ]

    result = inmates_import(facility=lipjan, rows=rows, by=None)

    assert (result.ok, result.created) == (False, 0)
    assert result.errors == [
        f"Row 2: registration_number: KCS-7 is already registered in {lipjan.prison_service.name}.",
        "Row 4: registration_number: KCS-8 is also on row 3.",
    ]
    assert Inmate.objects.count() == 2


def test_the_service_reports_how_many_were_created(lipjan):
    rows = [
        {
            "registration_number": "A-1",
            "first_name": "Arta",
            "last_name": "K",
            "gender": "X",
            "admission_date": "2025-01-10",
        }
    ]

    result = inmates_import(facility=lipjan, rows=rows, by=None)

    assert (result.ok, result.created, result.errors) == (True, 1, [])


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("people.txt", b"x"), "Upload a .csv or .xlsx file."),
        (
            SimpleUploadedFile("people.csv", b"registration_number,first_name\nA,B\n"),
            "Missing columns: last_name, gender, admission_date.",
        ),
        (SimpleUploadedFile("people.csv", HEADER.encode() + b"\n"), "The file has no data rows."),
        (
            SimpleUploadedFile(
                "people.csv",
                "registration_number,first_name,last_name,gender,admission_date\nA,Đ,B,F,2025-01-01\n".encode("cp1250"),
            ),
            "Save the CSV file as UTF-8 and upload it again.",
        ),
        (
            SimpleUploadedFile("people.xlsx", b"not a workbook"),
            "This file could not be read as an Excel workbook (.xlsx).",
        ),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(client, lipjan, upload, message):
    client.force_login(director_of(lipjan))

    response = post(client, lipjan, upload)

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert Inmate.objects.count() == 0


def test_a_facility_out_of_scope_cannot_be_chosen(client, lipjan):
    client.force_login(director_of(FacilityFactory()))

    response = post(client, lipjan, csv_file("KCS-100,Arta,Krasniqi,F,,2025-01-10,,"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "facility": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert Inmate.objects.count() == 0


def test_a_system_administrator_imports_anywhere(client, lipjan):
    client.force_login(user_with_role(Role.SYSTEM_ADMINISTRATOR))

    response = post(client, lipjan, csv_file("KCS-100,Arta,Krasniqi,F,,2025-01-10,,"))

    assert response.status_code == 302
    assert Inmate.objects.get().current_facility == lipjan


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.PROGRAMME_OFFICER])
def test_other_roles_may_not_import(client, lipjan, role):
    scope = (
        {"facility": lipjan} if role == Role.CASE_MANAGER else {"facility": None, "organisation": lipjan.prison_service}
    )
    client.force_login(user_with_role(role, **scope))

    assert client.get(reverse("inmates:import")).status_code == 403
    assert post(client, lipjan, csv_file("KCS-100,Arta,Krasniqi,F,,2025-01-10,,")).status_code == 403
    assert Inmate.objects.count() == 0


def test_the_import_page_lists_the_columns(client, lipjan):
    client.force_login(director_of(lipjan))

    response = client.get(reverse("inmates:import"))

    assert response.status_code == 200
    assert response.context["form"].fields["facility"].initial == lipjan
    assert [c for c in response.context["columns"]] == HEADER.split(",")
