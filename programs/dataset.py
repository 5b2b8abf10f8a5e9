"""Synthetic national data for scale tests and benchmarks (`manage.py generate_dataset --scale N`).

The base (scale 1) is one region's prison services: 60 facilities in 6 countries, 20,000 people in custody,
2,000 cohorts, 200,000 sessions and about 2,000,000 attendance rows. Scale N multiplies every figure.

Shapes follow the real programmes: a prison service per country, facilities of different kinds and sizes with
rooms, trainers from training centres and NGOs (each a StaffMember with a login), a course catalogue per
country, cohorts with weekly slots and the sessions they generate (held in the past, scheduled in the future,
a few cancelled, a few past ones still waiting for their register), enrolments within capacity, waitlists,
attendance for every held session, and names in Latin or Cyrillic as each country writes them.

Facilities repeat a pattern of six sizes, and each facility draws its contents from its own random stream
(seed and facility number). So the first facility, where the benchmark users work, holds the same cohorts,
people and sessions at 0.1× and at 1×: only the rest of the country grows, which is what a growth ratio
should measure.

Rows go in with PostgreSQL's COPY and explicit column lists (columns added later with NULL or a default do not
matter), inside one transaction, with ids taken from the tables' current maximum under a table lock.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from inmates.models import CustodyEvent, Inmate
from inmates.text import to_latin
from programs.models import (
    Attendance,
    Cohort,
    Course,
    CourseRequest,
    Enrolment,
    EnrolmentStatusChange,
    Session,
    WeeklySlot,
)
from rehab.models import Facility, Organisation, Role, RoleAssignment, Room, StaffMember

User = get_user_model()

BASE = {"facilities": 60, "inmates": 20_000, "cohorts": 2_000, "sessions": 200_000, "attendance": 2_000_000}
# Relative sizes of facilities, repeated every six: a large correctional centre, a small women's prison, ...
SIZE_PATTERN = (26, 7, 17, 20, 13, 17)
KIND_PATTERN = ("correctional", "women", "high_security", "correctional", "juvenile", "detention")
BENCH_PASSWORD = "rehab-bench"
BENCH_USERS = ("bench-director", "bench-trainer", "bench-casemanager")

# ------------------------------------------------------------------------------------------------ reference data


@dataclass(frozen=True)
class CountryData:
    code: str
    service: str
    short: str
    cities: tuple[str, ...]
    centre: str
    ngo: str
    names: str  # key into NAMES
    languages: tuple[str, ...]  # preferred languages of people held there
    latin_share: float = 1.0  # share of names written in Latin when the names are Cyrillic


COUNTRIES = (
    CountryData(
        "XK", "Kosovo Correctional Service", "KCS",
        ("Prishtina", "Prizren", "Peja", "Gjilan", "Mitrovica", "Ferizaj", "Gjakova", "Lipjan", "Istog", "Podujevo"),
        "Vocational Training Center Prizren", "Help – Hilfe zur Selbsthilfe Kosovo", "sq", ("sq",),
    ),
    CountryData(
        "RS", "Administration for the Enforcement of Penal Sanctions", "UIKS",
        ("Beograd", "Niš", "Novi Sad", "Kragujevac", "Sremska Mitrovica", "Požarevac", "Valjevo", "Čačak",
         "Subotica", "Zaječar"),
        "Centar za stručno osposobljavanje Niš", "Centre for Human Rights Niš", "sr", ("sr", "sr-latn"), 0.3,
    ),
    CountryData(
        "MK", "Directorate for Execution of Sanctions", "UIS",
        ("Skopje", "Idrizovo", "Bitola", "Štip", "Prilep", "Ohrid", "Tetovo", "Kumanovo", "Struga", "Gevgelija"),
        "Centre for Adult Education Skopje", "Open Gate – La Strada Skopje", "mk", ("mk",), 0.1,
    ),
    CountryData(
        "BA", "Prison Administration of Bosnia and Herzegovina", "UZIKS",
        ("Sarajevo", "Zenica", "Tuzla", "Mostar", "Banja Luka", "Bihać", "Foča", "Doboj", "Orašje", "Bijeljina"),
        "Centre for Vocational Training Zenica", "Vaša prava BiH", "bs", ("bs",),
    ),
    CountryData(
        "AL", "General Directorate of Prisons", "DPB",
        ("Tiranë", "Durrës", "Fier", "Lezhë", "Korçë", "Elbasan", "Peqin", "Rrogozhinë", "Vlorë", "Shkodër"),
        "Qendra e Formimit Profesional Tiranë", "Albanian Helsinki Committee", "sq", ("sq",),
    ),
    CountryData(
        "ME", "Institute for the Execution of Criminal Sanctions", "UIKS-ME",
        ("Podgorica", "Spuž", "Bijelo Polje", "Nikšić", "Bar", "Kotor", "Herceg Novi", "Pljevlja", "Cetinje",
         "Berane"),
        "Centre for Vocational Education Podgorica", "Juventas Podgorica", "me", ("sr-latn", "sr"), 0.7,
    ),
)

NAMES = {
    "sq": {
        "F": ("Arta", "Blerta", "Drita", "Fjolla", "Gresa", "Hana", "Liridona", "Mimoza", "Nora", "Qëndresa",
              "Rina", "Shqipe", "Teuta", "Valbona", "Vjosa", "Zana", "Albana", "Besa", "Donika", "Erblina"),
        "M": ("Agon", "Arben", "Besnik", "Blerim", "Dardan", "Driton", "Enver", "Fatmir", "Gëzim", "Ilir",
              "Jeton", "Kushtrim", "Labinot", "Mentor", "Ndërim", "Petrit", "Rinor", "Shkëlzen", "Valon", "Visar"),
        "last": ("Berisha", "Gashi", "Krasniqi", "Hoxha", "Shala", "Morina", "Kelmendi", "Bytyqi", "Hasani",
                 "Rexhepi", "Kastrati", "Islami", "Ahmeti", "Musliu", "Osmani", "Zeqiri", "Thaçi", "Kryeziu",
                 "Sadiku", "Mustafa", "Hyseni", "Limani", "Halili", "Jashari", "Ramadani", "Dervishi", "Leka",
                 "Prifti", "Çela", "Duka"),
    },
    "sr": {
        "F": ("Милица", "Јелена", "Ана", "Марија", "Драгана", "Снежана", "Ивана", "Тамара", "Катарина", "Јована",
              "Невена", "Бојана", "Гордана", "Зорица"),
        "M": ("Марко", "Никола", "Стефан", "Милош", "Лазар", "Душан", "Александар", "Немања", "Вук", "Жељко",
              "Драган", "Горан", "Срђан", "Бранко", "Небојша", "Дејан"),
        "last": ("Петровић", "Јовановић", "Николић", "Марковић", "Ђорђевић", "Стојановић", "Илић", "Станковић",
                 "Павловић", "Милошевић", "Томић", "Ђурић", "Живковић", "Костић", "Лукић", "Митровић",
                 "Радовановић", "Савић", "Ћирић", "Поповић"),
    },
    "mk": {
        "F": ("Ана", "Билјана", "Елена", "Марија", "Катерина", "Весна", "Јасмина", "Снежана", "Ивана", "Благица",
              "Александра", "Маја"),
        "M": ("Александар", "Горан", "Зоран", "Димитар", "Никола", "Трајче", "Игор", "Бојан", "Дејан", "Ѓорѓи",
              "Кире", "Стефан", "Филип", "Љупчо"),
        "last": ("Стојановски", "Трајковски", "Николовски", "Петровски", "Димитриевски", "Јовановски",
                 "Ристовски", "Илиевски", "Ангеловски", "Костовски", "Спасовски", "Георгиевски", "Митревски",
                 "Ѓорѓиевски", "Велковски", "Наумовски"),
    },
    "bs": {
        "F": ("Amra", "Lejla", "Selma", "Emina", "Aida", "Merima", "Amila", "Dženana", "Ajla", "Adna", "Sanela"),
        "M": ("Amer", "Adnan", "Emir", "Haris", "Kenan", "Mirza", "Nedim", "Tarik", "Armin", "Edin", "Senad",
              "Damir", "Jasmin"),
        "last": ("Hodžić", "Begić", "Delić", "Hadžić", "Mehmedović", "Kovačević", "Hasanović", "Halilović",
                 "Ibrahimović", "Mujić", "Omerović", "Salihović", "Šehić", "Husić", "Alić", "Karić"),
    },
    "me": {
        "F": ("Милена", "Јована", "Ана", "Маја", "Ивана", "Данијела", "Сања", "Тијана"),
        "M": ("Мило", "Марко", "Вук", "Никола", "Стефан", "Радован", "Момчило", "Бранко", "Петар", "Филип"),
        "last": ("Вуковић", "Поповић", "Радовић", "Ђукановић", "Вујовић", "Перовић", "Булатовић", "Кнежевић",
                 "Шћекић", "Марковић", "Лалић", "Јанковић"),
    },
}

# (slug, title, kind, planned hours, final assessment required)
COURSES = (
    ("filigree", "Filigree jewellery", "crafts", 200, True),
    ("it-basics", "Basic IT skills", "it", 80, True),
    ("welding", "Welding", "vocational", 160, True),
    ("carpentry", "Carpentry", "vocational", 160, True),
    ("hairdressing", "Hairdressing", "vocational", 120, True),
    ("bakery", "Cooking and bakery", "vocational", 120, False),
    ("tailoring", "Tailoring", "crafts", 120, False),
    ("greenhouse", "Greenhouse agriculture", "vocational", 100, False),
    ("anger", "Anger management", "psychosocial", 40, False),
    ("peer-educators", "Peer educator training", "psychosocial", 60, True),
    ("ot-workshop", "Occupational therapy workshop", "occupational_therapy", 60, False),
    ("literacy", "Literacy and numeracy", "vocational", 80, False),
)

TOPICS = ("Safety and tools", "Practice piece", "Theory and revision", "Group work", "Assessment practice")
CANCEL_REASONS = ("Lockdown in the facility", "Trainer ill", "Room needed for visits", "Transport from the city failed")
ABSENCE_REASONS = ("sick", "medical", "court", "visit", "work_clash", "lockdown")
SLOT_TIMES = ((dt.time(8, 30), dt.time(10, 30)), (dt.time(9), dt.time(12)), (dt.time(10), dt.time(12)),
              (dt.time(13), dt.time(15)), (dt.time(14), dt.time(16, 30)))

# ------------------------------------------------------------------------------------------------ counts


def _largest_remainder(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` into integers that add up to it exactly."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    parts = [math.floor(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - shares[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass(frozen=True)
class Plan:
    """How many of each thing a scale asks for, split over the facilities."""

    scale: float
    facilities: int
    inmates: list[int]
    cohorts: list[int]
    sessions: list[int]
    attendance: list[int]  # the target; the rows written come within a few per cent of it

    @classmethod
    def for_scale(cls, scale: float) -> Plan:
        if scale <= 0:
            raise ValueError("scale must be positive")
        facilities = max(1, round(BASE["facilities"] * scale))
        weights = [SIZE_PATTERN[(i + i // 6) % 6] for i in range(facilities)]

        def split(key: str, minimum: int) -> list[int]:
            return _largest_remainder(max(minimum * facilities, round(BASE[key] * scale)), weights)

        return cls(
            scale=scale,
            facilities=facilities,
            inmates=split("inmates", 10),
            cohorts=split("cohorts", 1),
            sessions=split("sessions", 10),
            attendance=split("attendance", 10),
        )

    def totals(self) -> dict[str, int]:
        return {
            "facilities": self.facilities,
            "inmates": sum(self.inmates),
            "cohorts": sum(self.cohorts),
            "sessions": sum(self.sessions),
            "attendance (target)": sum(self.attendance),
        }


# ------------------------------------------------------------------------------------------------ COPY


def _text(value: object) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class Table:
    """Rows for one table, sent with COPY and an explicit column list; ids are handed out here."""

    def __init__(self, model: type[models.Model], fields: Iterable[str]) -> None:
        self.model = model
        self.name = model._meta.db_table
        self.fields = ["id", *fields]
        # Columns added to the model since this loader was written: NULL ones are left out; NOT NULL ones with a
        # default get it (COPY does not know Django's defaults); anything else must be added here by hand.
        self.extra: list[str] = []
        for f in model._meta.concrete_fields:
            if f.name in self.fields or f.null:
                continue
            if not f.has_default():
                raise RuntimeError(f"{self.name}.{f.column} is NOT NULL without a default: add it to programs/dataset.py")
            self.fields.append(f.name)
            self.extra.append("\t" + _text(f.get_db_prep_save(f.get_default(), connection)))
        self.columns = [model._meta.get_field(name).column for name in self.fields]
        self._tail = "".join(self.extra) + "\n"
        self.next_id = 1
        self.written = 0
        self._buffer = io.StringIO()

    def add(self, *values: object) -> int:
        pk = self.next_id
        self.next_id += 1
        self._buffer.write("\t".join(_text(v) for v in (pk, *values)))
        self._buffer.write(self._tail)
        self.written += 1
        return pk

    def flush(self, cursor) -> None:
        if not self._buffer.tell():
            return
        self._buffer.seek(0)
        columns = ", ".join(f'"{c}"' for c in self.columns)
        cursor.copy_expert(f'COPY "{self.name}" ({columns}) FROM STDIN', self._buffer)
        self._buffer = io.StringIO()


def _tables() -> dict[str, Table]:
    """Parents before children: COPY checks foreign keys statement by statement (constraints set immediate)."""
    trainers = Cohort.trainers.through
    return {
        "user": Table(User, ["password", "last_login", "is_superuser", "username", "first_name", "last_name",
                             "email", "is_staff", "is_active", "date_joined"]),
        "organisation": Table(Organisation, ["name", "short_name", "kind", "country", "city"]),
        "facility": Table(Facility, ["prison_service", "name", "code", "kind", "city", "capacity"]),
        "room": Table(Room, ["facility", "name", "capacity"]),
        "staff": Table(StaffMember, ["organisation", "user", "first_name", "last_name", "gender", "job_title",
                                     "home_city", "email", "phone"]),
        "role": Table(RoleAssignment, ["user", "role", "facility", "organisation", "country"]),
        "course": Table(Course, ["code", "title", "title_translations", "language", "kind", "audience",
                                 "description", "planned_hours", "min_attendance_percent",
                                 "final_assessment_required", "issuer", "is_active"]),
        "inmate": Table(Inmate, ["prison_service", "registration_number", "first_name", "last_name", "gender",
                                 "date_of_birth", "preferred_language", "current_facility", "admission_date",
                                 "expected_release_date", "status"]),
        "custody": Table(CustodyEvent, ["inmate", "kind", "date", "from_facility", "to_facility", "note",
                                        "recorded_by", "recorded_at"]),
        "cohort": Table(Cohort, ["course", "facility", "name", "room", "capacity", "start_date", "end_date",
                                 "delivery_mode", "meeting_link", "created_at"]),
        "cohort_trainer": Table(trainers, ["cohort", "staffmember"]),
        "slot": Table(WeeklySlot, ["cohort", "weekday", "start_time", "end_time"]),
        "session": Table(Session, ["cohort", "date", "start_time", "end_time", "status", "cancellation_reason",
                                   "topics_covered", "register_taken_at", "register_taken_by"]),
        "enrolment": Table(Enrolment, ["cohort", "inmate", "staff_member", "status", "status_reason",
                                       "requested_at", "enrolled_at", "ended_at", "final_result", "final_score",
                                       "final_note"]),
        "history": Table(EnrolmentStatusChange, ["enrolment", "from_status", "to_status", "reason", "changed_by",
                                                 "changed_at"]),
        "attendance": Table(Attendance, ["session", "enrolment", "status", "reason", "note", "recorded_by",
                                         "recorded_at"]),
        "request": Table(CourseRequest, ["course", "facility", "inmate", "staff_member", "requested_at", "note",
                                         "status", "status_reason", "enrolment", "recorded_by"]),
    }


def database_is_empty() -> bool:
    return not (Facility.objects.exists() or Inmate.objects.exists() or Cohort.objects.exists())


# ------------------------------------------------------------------------------------------------ the generator


@dataclass
class _Person:
    pk: int
    status: str
    in_custody: bool


@dataclass
class _CohortPlan:
    index: int
    course: tuple[int, str, bool]  # id, title, final assessment
    room: tuple[int, int]  # id, capacity
    weekdays: list[int]
    times: tuple[dt.time, dt.time]
    start: dt.date
    sessions: list[dt.date] = field(default_factory=list)
    held: int = 0
    seats: int = 0


@dataclass
class Result:
    counts: dict[str, int]
    seconds: float
    bench_facility_id: int | None


class DatasetGenerator:
    def __init__(self, *, scale: float, seed: int = 1, today: dt.date | None = None, tag: str = "",
                 bench_users: bool = True, out=None) -> None:
        self.plan = Plan.for_scale(scale)
        self.seed = seed
        self.today = today or timezone.localdate()
        self.tag = tag
        self.bench_users = bench_users
        self.out = out
        self.t = _tables()
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.unusable = "!"  # Django's marker for "no password": these accounts cannot log in
        self.bench_hash = make_password(BENCH_PASSWORD) if bench_users else None
        self._requests: set[tuple[int, int]] = set()

    # ---------------------------------------------------------------- helpers

    def _say(self, message: str) -> None:
        if self.out:
            self.out.write(message)

    def _tagged(self, text: str, sep: str = " ") -> str:
        return f"{text}{sep}{self.tag}" if self.tag else text

    def _at(self, day: dt.date, time_of_day: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time_of_day, tzinfo=self.tz)

    def _name(self, rng: random.Random, country: CountryData, gender: str) -> tuple[str, str]:
        names = NAMES[country.names]
        first = rng.choice(names["F" if gender == "F" else "M"])
        last = rng.choice(names["last"])
        if country.names == "mk" and gender == "F" and last.endswith("ски"):
            last = last[:-3] + "ска"
        if rng.random() < country.latin_share and country.names in ("sr", "mk", "me"):
            first, last = to_latin(first).capitalize(), to_latin(last).capitalize()
        return first, last

    def _user(self, username: str, first: str, last: str, *, bench: bool = False) -> int:
        password = self.bench_hash if bench else self.unusable
        email = f"{username}@example.org"
        return self.t["user"].add(password, None, False, username, first[:150], last[:150], email, False, True, self.now)

    # ---------------------------------------------------------------- run

    def run(self) -> Result:
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as wrapper:
            cursor = wrapper.cursor  # the psycopg2 cursor, for copy_expert
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            names = ", ".join(f'"{table.name}"' for table in self.t.values())
            cursor.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")
            for table in self.t.values():
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table.name}"')
                table.next_id = cursor.fetchone()[0]
            countries = self._countries(cursor)
            bench_facility = None
            for index in range(self.plan.facilities):
                country = countries[index % len(countries)]
                facility_id = self._facility(index, country)
                if index == 0:
                    bench_facility = facility_id
                for table in self.t.values():
                    table.flush(cursor)
                if index % 6 == 5 or index == self.plan.facilities - 1:
                    done = sum(self.plan.attendance[: index + 1])
                    self._say(f"  facilities {index + 1}/{self.plan.facilities}, "
                              f"attendance rows {self.t['attendance'].written:,} (target so far {done:,}), "
                              f"{time.monotonic() - started:.0f} s")
            for table in self.t.values():
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM \"" + table.name + "\"))",
                    [f'"{table.name}"'],
                )
        with connection.cursor() as cursor:
            for table in self.t.values():
                cursor.execute(f'ANALYZE "{table.name}"')
        counts = {key: table.written for key, table in self.t.items()}
        return Result(counts=counts, seconds=time.monotonic() - started, bench_facility_id=bench_facility)

    # ---------------------------------------------------------------- organisations, courses

    def _countries(self, cursor) -> list[dict]:
        used = COUNTRIES[: min(len(COUNTRIES), self.plan.facilities)]
        countries = []
        donor = self.t["organisation"].add(self._tagged("EU / Council of Europe Horizontal Facility (synthetic)"),
                                           "EU/CoE", "donor", "XK", "Strasbourg")
        for country in used:
            org = self.t["organisation"]
            service = org.add(self._tagged(f"{country.service} (synthetic)"), country.short, "prison_service",
                              country.code, country.cities[0])
            centre = org.add(self._tagged(f"{country.centre} (synthetic)"), "", "training_centre", country.code,
                             country.cities[1])
            ngo = org.add(self._tagged(f"{country.ngo} (synthetic)"), "", "ngo", country.code, country.cities[0])
            org.add(self._tagged(f"Probation service {country.code} (synthetic)"), "", "probation", country.code,
                    country.cities[0])
            courses = []
            for slug, title, kind, hours, assessed in COURSES:
                code = self._tagged(f"{country.code.lower()}-{slug}", "-")
                pk = self.t["course"].add(code, title, {}, country.languages[0], kind, "inmates", "", hours, 80,
                                          assessed, centre, True)
                courses.append((pk, title, assessed))
            officer_rng = random.Random(f"{self.seed}:officer:{country.code}")
            first, last = self._name(officer_rng, country, officer_rng.choice("FM"))
            user = self._user(self._tagged(f"officer-{country.code.lower()}", "-"), first, last)
            self.t["staff"].add(service, user, first, last, "X", "Programme officer", country.cities[0], "", "")
            self.t["role"].add(user, Role.PROGRAMME_OFFICER, None, None, country.code)
            countries.append({"data": country, "service": service, "centre": centre, "ngo": ngo,
                              "courses": courses, "donor": donor})
        return countries

    # ---------------------------------------------------------------- one facility and everything in it

    def _facility(self, index: int, country: dict) -> int:
        data: CountryData = country["data"]
        rng = random.Random(f"{self.seed}:{index}")
        plan = self.plan
        kind = KIND_PATTERN[(index + index // 6) % 6]
        number = index // len(COUNTRIES)
        city = data.cities[number % len(data.cities)]
        round_ = number // len(data.cities)
        label = dict(Facility.Kind.choices)[kind]
        name = f"{city} {label}" + (f" {round_ + 1}" if round_ else "")
        code = self._tagged(f"{data.code.lower()}-{number + 1:03d}", "-")
        n_inmates = plan.inmates[index]
        facility = self.t["facility"].add(country["service"], self._tagged(f"{name} (synthetic)"), code, kind, city,
                                          round(n_inmates * 1.2))

        rooms = []
        for r in range(rng.randint(4, 8)):
            capacity = rng.choice((10, 12, 14, 16, 18, 20, 20, 24, 25, 30)) if r else 5
            rooms.append((self.t["room"].add(facility, f"Room {r + 1}", capacity), capacity))

        # Staff: the director, a case manager, and trainers from the country's training centre and NGO.
        bench = self.bench_users and index == 0
        staff_roles = (("director", Role.DIRECTOR, "Director"), ("casemanager", Role.CASE_MANAGER, "Case manager"))
        for key, role, title in staff_roles:
            first, last = self._name(rng, data, rng.choice("FM"))
            username = self._tagged(f"bench-{key}" if bench else f"{key}-{code}", "-")
            user = self._user(username, first, last, bench=bench)
            self.t["staff"].add(country["service"], user, first, last, "X", title, city, "", "")
            self.t["role"].add(user, role, facility, None, "")
        trainers = []  # (staff id, user id)
        for t in range(max(2, math.ceil(plan.cohorts[index] / 3))):
            gender = rng.choice("FM")
            first, last = self._name(rng, data, gender)
            organisation = country["centre"] if t % 3 else country["ngo"]
            username = self._tagged("bench-trainer" if bench and t == 0 else f"trainer-{code}-{t + 1}", "-")
            user = self._user(username, first, last, bench=bench and t == 0)
            staff = self.t["staff"].add(organisation, user, first, last, gender, "Trainer",
                                        data.cities[1 if t % 2 else 0], "", "")
            self.t["role"].add(user, Role.TRAINER, None, organisation, "")
            trainers.append((staff, user))

        people = self._inmates(rng, index, data, country["service"], facility, code, n_inmates)
        self._cohorts(rng, index, data, country, facility, code, rooms, trainers, people)
        return facility

    def _inmates(self, rng, index, data: CountryData, service: int, facility: int, code: str, count: int) -> list[_Person]:
        people = []
        women_only = KIND_PATTERN[(index + index // 6) % 6] == "women"
        for n in range(count):
            gender = "F" if women_only or rng.random() < 0.06 else "M"
            first, last = self._name(rng, data, gender)
            admitted = self.today - dt.timedelta(days=rng.randint(30, 2200))
            release = admitted + dt.timedelta(days=rng.randint(180, 3650))
            roll = rng.random()
            status = Inmate.Status.IN_CUSTODY
            if roll < 0.10 and release < self.today:
                status = Inmate.Status.RELEASED
            elif roll < 0.10:
                status = Inmate.Status.TRANSFERRED
            elif release < self.today:
                release = self.today + dt.timedelta(days=rng.randint(20, 900))
            birth = self.today - dt.timedelta(days=rng.randint(18 * 365, 65 * 365))
            if KIND_PATTERN[(index + index // 6) % 6] == "juvenile":
                birth = self.today - dt.timedelta(days=rng.randint(15 * 365, 21 * 365))
            pk = self.t["inmate"].add(service, f"{code.upper()}-{n + 1:05d}", first, last, gender, birth,
                                      rng.choice(data.languages),
                                      facility, admitted, release, status)
            self.t["custody"].add(pk, CustodyEvent.Kind.ADMISSION, admitted, None, facility, "", None,
                                  self._at(admitted, dt.time(9)))
            if status == Inmate.Status.RELEASED:
                self.t["custody"].add(pk, CustodyEvent.Kind.RELEASE, release, facility, None, "", None,
                                      self._at(release, dt.time(9)))
            people.append(_Person(pk, status, status == Inmate.Status.IN_CUSTODY))
        return people

    def _cohorts(self, rng, index, data, country, facility, code, rooms, trainers, people: list[_Person]) -> None:
        plan = self.plan
        n_cohorts, n_sessions = plan.cohorts[index], plan.sessions[index]
        # Sessions per cohort vary around the facility's average and add up to its total exactly.
        per_cohort = _largest_remainder(n_sessions, [rng.randint(40, 160) for _ in range(n_cohorts)])
        cohorts: list[_CohortPlan] = []
        for c in range(n_cohorts):
            count = max(per_cohort[c], 0)
            per_week = rng.choices((1, 2, 3), weights=(3, 5, 2))[0]
            weekdays = sorted(rng.sample(range(5), per_week))
            # Starts spread from three years ago to two months ahead: finished, running and planned groups.
            start = self.today + dt.timedelta(days=rng.randint(-1095, 60))
            start -= dt.timedelta(days=start.weekday())
            course = rng.choice(country["courses"])
            cp = _CohortPlan(c, course, rooms[0], weekdays, rng.choice(SLOT_TIMES), start)
            day = start
            while len(cp.sessions) < count:
                for weekday in weekdays:
                    if len(cp.sessions) < count:
                        cp.sessions.append(day + dt.timedelta(days=weekday))
                day += dt.timedelta(weeks=1)
            cp.held = sum(1 for d in cp.sessions if d < self.today)
            cohorts.append(cp)

        # Seats per cohort: enough people on the registers of the held sessions to meet the attendance target
        # (registers lose a few rows to cancelled sessions, registers not yet taken and people who leave).
        target = round(plan.attendance[index] / 0.93)
        held = sum(cp.held for cp in cohorts) or 1
        average = target / held
        largest = max(rooms, key=lambda room: room[1])
        for cp in cohorts:
            wanted = max(1, round(average + rng.uniform(-3, 3)))
            fitting = [room for room in rooms if room[1] >= wanted]
            cp.room = rng.choice(fitting) if fitting else largest
            cp.seats = min(cp.room[1], wanted)
        remaining = target - sum(cp.held * cp.seats for cp in cohorts)
        for _round in range(30):
            changed = False
            for cp in sorted(cohorts, key=lambda cp: -cp.held):
                if cp.held and abs(remaining) >= cp.held:
                    step = 1 if remaining > 0 else -1
                    if 1 <= cp.seats + step <= cp.room[1]:
                        cp.seats += step
                        remaining -= step * cp.held
                        changed = True
            if not changed:
                break

        in_custody = [p for p in people if p.in_custody]
        bench_trainer_cohorts = 0
        for cp in cohorts:
            bench_trainer_cohorts += self._cohort(rng, index, cp, facility, code, trainers, people, in_custody,
                                                  bench_trainer_cohorts)
        for _n in range(max(1, n_cohorts // 4)):
            if not in_custody:
                break
            person = rng.choice(in_custody)
            course = rng.choice(country["courses"])
            if (course[0], person.pk) in self._requests:
                continue
            self._requests.add((course[0], person.pk))
            asked = self._at(self.today - dt.timedelta(days=rng.randint(1, 120)), dt.time(11))
            self.t["request"].add(course[0], facility, person.pk, None, asked, "", CourseRequest.Status.OPEN, "",
                                  None, None)

    def _cohort(self, rng, index, cp: _CohortPlan, facility, code, trainers, people, in_custody, bench_count) -> int:
        today = self.today
        start, end = (cp.sessions[0], cp.sessions[-1]) if cp.sessions else (cp.start, cp.start)
        running = start <= today <= end
        finished = end < today
        mode = rng.choices(("in_person", "online", "hybrid"), weights=(88, 7, 5))[0]
        link = f"https://meet.example.org/{code}-{cp.index + 1}" if mode != "in_person" else ""
        name = f"{cp.course[1]} – {start:%Y-%m} – {chr(65 + cp.index % 26)}{cp.index // 26 + 1}"
        cohort = self.t["cohort"].add(cp.course[0], facility, name, cp.room[0], None, start, end, mode, link,
                                      self._at(start - dt.timedelta(days=30), dt.time(9)))
        # The bench trainer (first trainer of the first facility) delivers four running groups.
        chosen = rng.sample(trainers, 2 if rng.random() < 0.3 and len(trainers) > 1 else 1)
        bench_trainer = self.bench_users and index == 0
        if bench_trainer and running and bench_count < 4 and trainers[0] not in chosen:
            chosen = [trainers[0], *chosen[:1]]
        assigned = int(bench_trainer and running and trainers[0] in chosen)
        for staff, _user in chosen:
            self.t["cohort_trainer"].add(cohort, staff)
        recorder = chosen[0][1]
        for weekday in cp.weekdays:
            self.t["slot"].add(cohort, weekday, cp.times[0], cp.times[1])

        pool = in_custody if not finished else people
        seated = rng.sample(pool, min(cp.seats, len(pool)))
        enrolments = []  # (enrolment id, last day attended or None)
        for person in seated:
            requested = self._at(start - dt.timedelta(days=rng.randint(7, 60)), dt.time(10))
            enrolled_at = requested + dt.timedelta(days=3)
            left = None
            status, ended, result = Enrolment.Status.ENROLLED, None, ""
            if finished or running:
                roll = rng.random()
                if roll < 0.08 and cp.held > 4:
                    left = cp.sessions[rng.randint(1, cp.held - 1)]
                    status = Enrolment.Status.WITHDRAWN
                    ended = self._at(left, dt.time(16))
            if finished and status == Enrolment.Status.ENROLLED:
                status, ended = Enrolment.Status.COMPLETED, self._at(end, dt.time(16))
                if cp.course[2]:
                    result = Enrolment.Result.PASSED if rng.random() < 0.85 else Enrolment.Result.NOT_PASSED
            pk = self.t["enrolment"].add(cohort, person.pk, None, status, "Left the group" if left else "",
                                         requested, enrolled_at, ended, result, None, "")
            self.t["history"].add(pk, "", Enrolment.Status.ENROLLED, "", None, enrolled_at)
            if status != Enrolment.Status.ENROLLED:
                self.t["history"].add(pk, Enrolment.Status.ENROLLED, status, "", None, ended)
            enrolments.append((pk, left, rng.random()))
        if not finished:
            taken = {p.pk for p in seated}
            waiting = [p for p in in_custody if p.pk not in taken]
            for person in rng.sample(waiting, min(len(waiting), rng.randint(0, 3))):
                asked = self._at(today - dt.timedelta(days=rng.randint(1, 60)), dt.time(10))
                status = rng.choice((Enrolment.Status.REQUESTED, Enrolment.Status.WAITLISTED))
                pk = self.t["enrolment"].add(cohort, person.pk, None, status, "", asked, None, None, "", None, "")
                self.t["history"].add(pk, "", status, "", None, asked)

        recent = today - dt.timedelta(days=14)
        for day in cp.sessions:
            begin, finish = cp.times
            if day >= today:
                cancelled = rng.random() < 0.01
                self.t["session"].add(cohort, day, begin, finish, "cancelled" if cancelled else "scheduled",
                                      rng.choice(CANCEL_REASONS) if cancelled else "", "", None, None)
                continue
            roll = rng.random()
            if roll < 0.03:
                self.t["session"].add(cohort, day, begin, finish, "cancelled", rng.choice(CANCEL_REASONS), "",
                                      None, None)
                continue
            if day >= recent and roll < 0.10:
                # Nobody took this register yet: it shows up as overdue on the dashboard after 48 hours.
                self.t["session"].add(cohort, day, begin, finish, "scheduled", "", "", None, None)
                continue
            taken_at = self._at(day, finish) + dt.timedelta(minutes=30)
            session = self.t["session"].add(cohort, day, begin, finish, "held", "", rng.choice(TOPICS), taken_at,
                                            recorder)
            for pk, left, reliability in enrolments:
                if left is not None and day > left:
                    continue
                draw = rng.random() * (0.6 + 0.4 * reliability)
                if draw < 0.06:
                    status, reason = "excused", rng.choice(ABSENCE_REASONS)
                elif draw < 0.13:
                    status, reason = "absent", ""
                elif draw < 0.19:
                    status, reason = "late", ""
                else:
                    status, reason = "present", ""
                self.t["attendance"].add(session, pk, status, reason, "", recorder, taken_at)
        return assigned
