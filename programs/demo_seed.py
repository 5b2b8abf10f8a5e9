"""Realistic demo data from the seed articles: Lipjan's filigree and IT groups, the Niš online workshop, and more.

Idempotent: everything is found by its natural key before it is created, so a second run on the same day changes
nothing. Dates are relative to today; on a later day existing records keep their dates and only the registers of
sessions that have since passed are filled in.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils import timezone

from inmates.models import CustodyEvent, Inmate
from programs import demo_data
from programs.models import (
    Attendance,
    Cohort,
    Course,
    CourseModule,
    Donation,
    Enrolment,
    EnrolmentStatusChange,
    EquipmentItem,
    EquipmentNeed,
    PeerEducator,
    Session,
    SessionTrainer,
    TrainerQualification,
    WeeklySlot,
)
from programs.services.attendance import AttendanceEntry, session_record_register
from programs.services.cascades import training_of_trainers_qualify
from programs.services.delivery import TrainerPlace, cohort_set_equipment_need, session_set_trainers
from programs.services.enrolment import enrolment_create
from programs.services.modules import ModuleSpec, cohort_tag_sessions, course_set_modules
from programs.services.peer_educators import peer_educator_assign
from programs.services.sessions import cohort_generate_sessions
from rehab.models import Facility, Organisation, PublicHoliday, Role, RoleAssignment, Room, StaffMember
from rehab.services import holidays_load

SEED = 2026
DEMO_PASSWORD = "rehab-demo"
User = get_user_model()


def _lipjan(index: int) -> str:
    return f"LIP-{index + 1:04d}"


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _time(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def _at(day: dt.date, time: dt.time = dt.time(10)) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


@dataclass
class CohortPlan:
    course: str
    facility: str
    name: str
    start: dt.date
    end: dt.date
    # (weekday, start, end)
    slots: tuple[tuple[int, str, str], ...]
    trainers: tuple[str, ...]
    room: str | None = None
    capacity: int | None = None
    delivery_mode: str = Cohort.DeliveryMode.IN_PERSON
    meeting_link: str = ""
    inmates: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    waitlist: tuple[str, ...] = ()
    enrolled_by: str | None = None
    recorded_by: str | None = None
    # The most recent past sessions left without a register, so "registers not taken" has something to show.
    unregistered: int = 0
    # (on or after this day, reason): the first session from that day is cancelled.
    cancellations: tuple[tuple[dt.date, str], ...] = ()
    # Participants (registration number or staff key) who attend poorly, so some do not pass.
    weak: tuple[str, ...] = ()
    # Everyone's chance of attending a session, when the usual one would make the demo vary from day to day
    # (the facilitators must pass their training of trainers; the peer educator their workshop).
    attendance: float | None = None
    training_of_trainers: bool = False
    # The name of the training of trainers this cascade comes from, and the mentor's staff key.
    cascade_of: str | None = None
    mentor: str | None = None


class DemoSeeder:
    def __init__(self, *, today: dt.date) -> None:
        self.today = today
        self.rng = random.Random(SEED)
        self.orgs: dict[str, Organisation] = {}
        self.facilities: dict[str, Facility] = {}
        self.rooms: dict[tuple[str, str], Room] = {}
        self.staff: dict[str, StaffMember] = {}
        self.users: dict[str, models.Model] = {}
        self.inmates: dict[str, Inmate] = {}
        self.courses: dict[str, Course] = {}
        self.plans = self._plans()

    # ------------------------------------------------------------ plan

    def _plans(self) -> list[CohortPlan]:
        today = self.today
        filigree_slots_a = ((0, "09:00", "12:00"), (3, "09:00", "12:00"))
        filigree_slots_b = ((0, "12:30", "15:30"), (3, "12:30", "15:30"))
        it_slots = ((1, "10:00", "12:00"), (4, "10:00", "12:00"))
        coaches = ("bashkim", "agim", "shpresa")
        first_start = _monday(today - dt.timedelta(days=520))
        running_start = _monday(today - dt.timedelta(days=120))
        it1_start = _monday(today - dt.timedelta(days=270)) + dt.timedelta(days=1)
        it2_start = _monday(today - dt.timedelta(days=42)) + dt.timedelta(days=1)
        nis_start = _monday(today - dt.timedelta(days=21)) + dt.timedelta(days=1)
        ot_start = _monday(today - dt.timedelta(days=63)) + dt.timedelta(days=2)
        tot_start = _monday(today - dt.timedelta(days=112))
        first_workshop_start = _monday(today - dt.timedelta(days=182)) + dt.timedelta(days=1)
        lockdown = (today - dt.timedelta(days=45), "Lockdown: facility-wide security search")
        # A course lasts a year: 50 weeks, Monday of the first to Thursday of the last.
        year = dt.timedelta(weeks=49, days=3)
        sixteen_weeks = dt.timedelta(weeks=15, days=3)
        return [
            CohortPlan(
                course="filigree-1y",
                facility="lipjan",
                name="Filigree – first group",
                start=first_start,
                end=first_start + year,
                slots=filigree_slots_a,
                trainers=coaches,
                room="Filigree workshop",
                inmates=(_lipjan(20), _lipjan(21), _lipjan(22), "LIP-0041", "LIP-0042"),
                enrolled_by="director",
                recorded_by="trainer",
                cancellations=(
                    (first_start + dt.timedelta(weeks=9), "Lockdown: COVID-19 cases in the centre"),
                    (first_start + dt.timedelta(weeks=10), "Lockdown: COVID-19 cases in the centre"),
                    (first_start + dt.timedelta(weeks=31), "The coaches could not travel from Prizren"),
                ),
                weak=(_lipjan(22),),
            ),
            CohortPlan(
                course="it-basics",
                facility="lipjan",
                name="IT basics – group 1",
                start=it1_start,
                end=it1_start + sixteen_weeks,
                slots=it_slots,
                trainers=("it_trainer",),
                room="IT classroom",
                inmates=tuple(_lipjan(i) for i in range(8, 13)),
                enrolled_by="director",
                weak=(_lipjan(10),),
            ),
            CohortPlan(
                course="filigree-1y",
                facility="lipjan",
                name="Filigree – group A",
                start=running_start,
                end=running_start + year,
                slots=filigree_slots_a,
                trainers=coaches,
                room="Filigree workshop",
                inmates=tuple(_lipjan(i) for i in range(0, 5)),
                enrolled_by="director",
                recorded_by="trainer",
                unregistered=1,
                cancellations=(lockdown,),
            ),
            CohortPlan(
                course="filigree-1y",
                facility="lipjan",
                name="Filigree – group B",
                start=running_start,
                end=running_start + year,
                slots=filigree_slots_b,
                trainers=coaches,
                room="Filigree workshop",
                inmates=tuple(_lipjan(i) for i in range(5, 8)),
                enrolled_by="director",
                recorded_by="trainer",
                cancellations=(lockdown,),
            ),
            CohortPlan(
                course="it-basics",
                facility="lipjan",
                name="IT basics – group 2",
                start=it2_start,
                end=it2_start + sixteen_weeks,
                slots=it_slots,
                trainers=("it_trainer",),
                room="IT classroom",
                inmates=tuple(_lipjan(i) for i in range(13, 18)),
                waitlist=(_lipjan(18), _lipjan(19)),
                enrolled_by="director",
                unregistered=1,
            ),
            CohortPlan(
                course="anger-management",
                facility="kpz-nis",
                name="Anger management – online workshop",
                start=nis_start,
                end=nis_start + dt.timedelta(days=2),
                slots=((1, "10:00", "16:00"), (2, "10:00", "16:00"), (3, "10:00", "16:00")),
                trainers=("nis_trainer_nis", "nis_trainer_bg", "nis_trainer_ns"),
                room="Training room",
                capacity=12,
                delivery_mode=Cohort.DeliveryMode.ONLINE,
                meeting_link="https://meet.example.org/nis-anger",
                inmates=tuple(f"NIS-{i:04d}" for i in range(1, 8)),
                staff=("nis_staff_1", "nis_staff_2", "nis_staff_3", "nis_staff_4"),
            ),
            # The first workshop in Niš: five prisoners completed it; one now helps in the online workshop.
            CohortPlan(
                course="anger-management",
                facility="kpz-nis",
                name="Anger management – first workshop",
                start=first_workshop_start,
                end=first_workshop_start + dt.timedelta(days=2),
                slots=((1, "10:00", "16:00"), (2, "10:00", "16:00"), (3, "10:00", "16:00")),
                trainers=("nis_trainer_nis", "nis_trainer_bg"),
                room="Training room",
                capacity=12,
                inmates=tuple(f"NIS-{i:04d}" for i in range(8, 13)),
                attendance=1.0,
            ),
            # Staff of four organisations trained to deliver the occupational-therapy cascade.
            CohortPlan(
                course="ot-cascade",
                facility="dubrava",
                name="Occupational therapy – training of trainers",
                start=tot_start,
                end=tot_start + dt.timedelta(days=2),
                slots=((0, "09:00", "15:00"), (1, "09:00", "15:00"), (2, "09:00", "15:00")),
                trainers=("ot_master",),
                room="Training hall",
                capacity=12,
                staff=("ot_trainer_1", "ot_trainer_2", "tot_kcs", "tot_probation", "tot_forensic"),
                training_of_trainers=True,
                attendance=1.0,
            ),
            CohortPlan(
                course="ot-cascade",
                facility="dubrava",
                name="Occupational therapy – cascade training",
                start=ot_start,
                end=ot_start + dt.timedelta(days=1),
                slots=((2, "09:00", "15:00"), (3, "09:00", "15:00")),
                trainers=("ot_trainer_1", "ot_trainer_2"),
                room="Training hall",
                capacity=25,
                staff=tuple(f"ot_{i}" for i in range(1, 9)),
                cascade_of="Occupational therapy – training of trainers",
                mentor="ot_mentor",
            ),
        ]

    # ------------------------------------------------------------ run

    def run(self) -> dict[str, int]:
        self._organisations()
        self._facilities()
        years = range(min(p.start for p in self.plans).year, max(p.end for p in self.plans).year + 1)
        for country in ("XK", "RS"):
            holidays_load(country=country, years=years)
        self._staff()
        self._users()
        self._inmates()
        self._courses()
        for plan in self.plans:
            self._cohort(plan)
        self._release_former_participants()
        self._staff_training()
        return {
            "Organisations": Organisation.objects.count(),
            "Facilities": Facility.objects.count(),
            "Rooms": Room.objects.count(),
            "Public holidays": PublicHoliday.objects.count(),
            "Staff members": StaffMember.objects.count(),
            "Users": User.objects.count(),
            "Role assignments": RoleAssignment.objects.count(),
            "Inmates": Inmate.objects.count(),
            "Custody events": CustodyEvent.objects.count(),
            "Courses": Course.objects.count(),
            "Cohorts": Cohort.objects.count(),
            "Weekly slots": WeeklySlot.objects.count(),
            "Sessions": Session.objects.count(),
            "Enrolments": Enrolment.objects.count(),
            "Attendance rows": Attendance.objects.count(),
            "Course modules": CourseModule.objects.count(),
            "Trainer qualifications": TrainerQualification.objects.count(),
            "Peer educators": PeerEducator.objects.count(),
        }

    @staticmethod
    def _upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
        """Find by natural key; create, or bring the fields in line without saving when nothing differs."""
        obj, created = model.objects.get_or_create(**lookup, defaults=values)
        if not created:
            changed = [name for name, value in values.items() if getattr(obj, name) != value]
            if changed:
                for name in changed:
                    setattr(obj, name, values[name])
                obj.save(update_fields=changed)
        return obj

    # ------------------------------------------------------------ core

    def _organisations(self) -> None:
        for key, values in demo_data.ORGANISATIONS.items():
            values = dict(values)
            self.orgs[key] = self._upsert(Organisation, {"name": values.pop("name")}, values)

    def _facilities(self) -> None:
        for code, values in demo_data.FACILITIES.items():
            values = dict(values)
            values["prison_service"] = self.orgs[values.pop("service")]
            self.facilities[code] = self._upsert(Facility, {"code": code}, values)
        for code, name, capacity in demo_data.ROOMS:
            self.rooms[code, name] = self._upsert(
                Room, {"facility": self.facilities[code], "name": name}, {"capacity": capacity}
            )

    def _staff(self) -> None:
        for key, (org, first, last, gender, job, city) in demo_data.STAFF.items():
            email = f"{key.replace('_', '.')}@example.org"
            self.staff[key] = self._upsert(
                StaffMember,
                {"organisation": self.orgs[org], "first_name": first, "last_name": last},
                {"gender": gender, "job_title": job, "home_city": city, "email": email},
            )

    def _users(self) -> None:
        # One hash for all demo accounts: hashing is deliberately slow, and they share the password anyway.
        verified: set[str] = set()
        demo_hash = ""
        for username, (first, last, staff_key, role, scope, value) in demo_data.USERS.items():
            is_admin = role == Role.SYSTEM_ADMINISTRATOR
            user = self._upsert(
                User,
                {"username": username},
                {
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "is_staff": is_admin,
                    "is_superuser": is_admin,
                    "is_active": True,
                },
            )
            if user.password not in verified:
                if user.password and check_password(DEMO_PASSWORD, user.password):
                    verified.add(user.password)
                else:
                    demo_hash = demo_hash or make_password(DEMO_PASSWORD)
                    user.password = demo_hash
                    user.save(update_fields=["password"])
                    verified.add(demo_hash)
            self.users[username] = user
            if staff_key:
                member = self.staff[staff_key]
                if member.user_id != user.pk:
                    member.user = user
                    member.save(update_fields=["user"])
            scope_values = {"facility": None, "organisation": None, "country": ""}
            if scope == "facility":
                scope_values["facility"] = self.facilities[value]
            elif scope == "organisation":
                scope_values["organisation"] = self.orgs[value]
            elif scope == "country":
                scope_values["country"] = value
            RoleAssignment.objects.get_or_create(user=user, role=role, **scope_values)

    # ------------------------------------------------------------ people in custody

    def _inmates(self) -> None:
        # Participants were admitted well before their course started.
        latest_admission: dict[str, dt.date] = {}
        for plan in self.plans:
            for number in plan.inmates + plan.waitlist:
                limit = plan.start - dt.timedelta(days=30)
                latest_admission[number] = min(latest_admission.get(number, limit), limit)

        groups = [
            ("kcs", "lipjan", "LIP", "F", demo_data.LIPJAN_WOMEN + demo_data.RELEASED_WOMEN),
            ("kcs", "dubrava", "DUB", "M", demo_data.DUBRAVA_MEN),
            ("kcs", "hsp", "HSP", "M", demo_data.HSP_MEN),
            ("uiks", "kpz-nis", "NIS", "M", demo_data.NIS_MEN),
        ]
        for service, facility, prefix, gender, people in groups:
            for index, (first, last, language) in enumerate(people, start=1):
                number = f"{prefix}-{index:04d}"
                # Every draw is made on every run, so the sequence (and so each person's dates) never shifts.
                born = self.today - dt.timedelta(days=self.rng.randint(19 * 365, 58 * 365))
                if self.rng.random() < 0.1:
                    # Some have been inside for more than a decade.
                    admitted = self.today - dt.timedelta(days=self.rng.randint(10 * 365, 13 * 365))
                    release = self.today + dt.timedelta(days=self.rng.randint(3 * 365, 9 * 365))
                else:
                    admitted = self.today - dt.timedelta(days=self.rng.randint(60, 6 * 365))
                    release = self.today + dt.timedelta(days=self.rng.randint(45, 6 * 365))
                admitted = min(admitted, latest_admission.get(number, admitted))
                inmate, created = Inmate.objects.get_or_create(
                    prison_service=self.orgs[service],
                    registration_number=number,
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "gender": gender,
                        "date_of_birth": born,
                        "preferred_language": language,
                        "current_facility": self.facilities[facility],
                        "admission_date": admitted,
                        "expected_release_date": release,
                    },
                )
                if created:
                    CustodyEvent.objects.create(
                        inmate=inmate, kind=CustodyEvent.Kind.ADMISSION, date=admitted, to_facility=inmate.current_facility
                    )
                self.inmates[number] = inmate

    def _release_former_participants(self) -> None:
        first = len(demo_data.LIPJAN_WOMEN) + 1
        for offset in range(len(demo_data.RELEASED_WOMEN)):
            inmate = self.inmates[f"LIP-{first + offset:04d}"]
            if inmate.status != Inmate.Status.IN_CUSTODY:
                continue
            released_on = self.today - dt.timedelta(days=70 + 40 * offset)
            CustodyEvent.objects.create(
                inmate=inmate,
                kind=CustodyEvent.Kind.RELEASE,
                date=released_on,
                from_facility=inmate.current_facility,
                note="Released at the end of the sentence; referred to the probation service.",
            )
            inmate.status = Inmate.Status.RELEASED
            inmate.current_facility = None
            inmate.expected_release_date = released_on
            inmate.save(update_fields=["status", "current_facility", "expected_release_date"])

    # ------------------------------------------------------------ programmes

    def _courses(self) -> None:
        for code, values in demo_data.COURSES.items():
            values = dict(values)
            issuer = values.pop("issuer")
            values["issuer"] = self.orgs[issuer] if issuer else None
            self.courses[code] = self._upsert(Course, {"code": code}, values)

    def _cohort(self, plan: CohortPlan) -> None:
        facility = self.facilities[plan.facility]
        # Dates are set only when the cohort is created: a later run must not move history.
        cohort, _ = Cohort.objects.get_or_create(
            facility=facility,
            name=plan.name,
            defaults={
                "course": self.courses[plan.course],
                "room": self.rooms[plan.facility, plan.room] if plan.room else None,
                "capacity": plan.capacity,
                "start_date": plan.start,
                "end_date": plan.end,
                "delivery_mode": plan.delivery_mode,
                "meeting_link": plan.meeting_link,
            },
        )
        cohort.trainers.add(*(self.staff[key] for key in plan.trainers))
        cascade = {
            "is_training_of_trainers": plan.training_of_trainers,
            "cascade_of": Cohort.objects.get(facility=facility, name=plan.cascade_of) if plan.cascade_of else None,
            "mentor": self.staff[plan.mentor] if plan.mentor else None,
        }
        changed = [name for name, value in cascade.items() if getattr(cohort, name) != value]
        if changed:
            for name in changed:
                setattr(cohort, name, cascade[name])
            cohort.save(update_fields=changed)
        for weekday, start, end in plan.slots:
            WeeklySlot.objects.get_or_create(
                cohort=cohort, weekday=weekday, start_time=_time(start), defaults={"end_time": _time(end)}
            )
        # The service only creates sessions from `today` on; from the day before the start, past ones come too.
        cohort_generate_sessions(cohort=cohort, today=min(cohort.start_date - dt.timedelta(days=1), self.today))
        self._cancel(cohort, plan)
        self._enrol(cohort, plan)
        # Judged on the stored dates: on a later run a cohort seeded as running may have ended since.
        finished = cohort.end_date < self.today
        self._registers(cohort, plan, finished=finished)
        if finished:
            self._complete(cohort, plan)

    def _cancel(self, cohort: Cohort, plan: CohortPlan) -> None:
        for on_or_after, reason in plan.cancellations:
            session = cohort.sessions.filter(date__gte=on_or_after, date__lt=self.today).order_by("date", "start_time").first()
            if session and session.status == Session.Status.SCHEDULED and not session.attendance.exists():
                session.status = Session.Status.CANCELLED
                session.cancellation_reason = reason
                session.save(update_fields=["status", "cancellation_reason"])

    def _enrol(self, cohort: Cohort, plan: CohortPlan) -> None:
        by = self.users.get(plan.enrolled_by) if plan.enrolled_by else None
        people = [({"inmate": self.inmates[n]}, False) for n in plan.inmates]
        people += [({"staff_member": self.staff[k]}, False) for k in plan.staff]
        people += [({"inmate": self.inmates[n]}, True) for n in plan.waitlist]
        for index, (person, waitlist) in enumerate(people):
            if cohort.enrolments.filter(**person).exists():
                continue
            enrolment = enrolment_create(cohort=cohort, waitlist_if_full=waitlist, by=by, **person)
            # Requests came in during the fortnight before the start; the waitlist after the group had filled.
            asked = cohort.start_date - dt.timedelta(days=14 - index)
            if waitlist:
                asked = min(cohort.start_date + dt.timedelta(days=7 + index), self.today)
            when = _at(asked, dt.time(9, 30))
            Enrolment.objects.filter(pk=enrolment.pk).update(
                requested_at=when, enrolled_at=when if enrolment.enrolled_at else None
            )
            EnrolmentStatusChange.objects.filter(enrolment=enrolment).update(changed_at=when)

    @staticmethod
    def _participant_key(enrolment: Enrolment) -> str:
        if enrolment.inmate_id:
            return enrolment.inmate.registration_number
        return f"{enrolment.staff_member.first_name} {enrolment.staff_member.last_name}"

    def _registers(self, cohort: Cohort, plan: CohortPlan, *, finished: bool) -> None:
        seated = list(
            cohort.enrolments.filter(status__in=Enrolment.SEATED).select_related("inmate", "staff_member").order_by("pk")
        )
        if not seated:
            return
        weak_keys = {self.staff[k].full_name if k in self.staff else k for k in plan.weak}
        keys = {e.pk: self._participant_key(e) for e in seated}
        sessions = list(cohort.sessions.order_by("date", "start_time"))
        # Over a year people miss the odd session; few miss a day of a three-day workshop.
        usual = plan.attendance or (0.93 if len(sessions) > 10 else 0.98)
        reliability = {pk: 0.6 if key in weak_keys else usual for pk, key in keys.items()}
        past = [s for s in sessions if s.date < self.today and s.status != Session.Status.CANCELLED]
        if plan.unregistered and not finished:
            past = past[: -plan.unregistered]
        topics = demo_data.TOPICS[plan.course]
        by = self.users.get(plan.recorded_by) if plan.recorded_by else None
        online = plan.delivery_mode != Cohort.DeliveryMode.IN_PERSON
        for session in past:
            if session.register_taken_at:
                continue
            # One generator per session: the same register whatever was recorded before.
            rng = random.Random(f"{SEED}:{cohort.name}:{session.date}:{session.start_time}")
            entries = {pk: self._entry(rng, reliability[pk], online) for pk in keys}
            index = sessions.index(session)
            session_record_register(
                session=session,
                entries=entries,
                topics_covered=topics[index % len(topics)],
                by=by,
                today=self.today,
            )
            # Registers are taken at the end of the session, not when the demo was seeded.
            taken = _at(session.date, session.end_time)
            Session.objects.filter(pk=session.pk).update(register_taken_at=taken)
            Attendance.objects.filter(session=session).update(recorded_at=taken)

    @staticmethod
    def _entry(rng: random.Random, reliability: float, online: bool) -> AttendanceEntry:
        roll = rng.random()
        if roll < reliability:
            if rng.random() < 0.07:
                reasons = ["connection"] if online else ["", "visit", "work_clash"]
                return AttendanceEntry(status=Attendance.Status.LATE, reason=rng.choice(reasons))
            return AttendanceEntry(status=Attendance.Status.PRESENT)
        if online and rng.random() < 0.5:
            return AttendanceEntry(
                status=Attendance.Status.ABSENT, reason=Attendance.Reason.CONNECTION, note="Tablet lost the connection."
            )
        if rng.random() < 0.65:
            reason = rng.choice(["sick", "sick", "medical", "court", "visit"])
            note = "Court hearing in Prishtina." if reason == "court" else ""
            return AttendanceEntry(status=Attendance.Status.EXCUSED, reason=reason, note=note)
        return AttendanceEntry(status=Attendance.Status.ABSENT, reason=rng.choice(["", "refused"]))

    def _complete(self, cohort: Cohort, plan: CohortPlan) -> None:
        course = cohort.course
        held = cohort.sessions.filter(status=Session.Status.HELD).count()
        by = self.users.get(plan.recorded_by) if plan.recorded_by else None
        ended = _at(cohort.end_date, dt.time(16))
        enrolments = cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).select_related("inmate", "staff_member")
        for enrolment in enrolments.order_by("pk"):
            rng = random.Random(f"{SEED}:{cohort.name}:result:{self._participant_key(enrolment)}")
            attended = enrolment.attendance.filter(status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE]).count()
            rate = 100 * attended / held if held else 0
            score = None
            if rate < course.min_attendance_percent:
                result = Enrolment.Result.NOT_PASSED
                note = f"Attended {rate:.0f}% of sessions; {course.min_attendance_percent}% needed."
            elif course.final_assessment_required and rng.random() < 0.1:
                result, score = Enrolment.Result.NOT_PASSED, Decimal(rng.randint(35, 49))
                note = "The final piece was not finished to the required standard."
            else:
                result = Enrolment.Result.PASSED
                note = "Completed all modules."
                if course.final_assessment_required:
                    score = Decimal(rng.randint(62, 98))
                    note = "Final piece assessed by the coaches." if course.kind == Course.Kind.CRAFTS else "Final test."
            enrolment.status = Enrolment.Status.COMPLETED
            enrolment.status_reason = "Course completed"
            enrolment.ended_at = ended
            enrolment.final_result = result
            enrolment.final_score = score
            enrolment.final_note = note
            enrolment.save(
                update_fields=["status", "status_reason", "ended_at", "final_result", "final_score", "final_note"]
            )
            change = EnrolmentStatusChange.objects.create(
                enrolment=enrolment,
                from_status=Enrolment.Status.ENROLLED,
                to_status=Enrolment.Status.COMPLETED,
                reason="Course completed",
                changed_by=by,
            )
            EnrolmentStatusChange.objects.filter(pk=change.pk).update(changed_at=ended)

    # ------------------------------------------------------------ staff training, online delivery, peer educators

    def _staff_training(self) -> None:
        for code, modules in demo_data.MODULES.items():
            course = self.courses[code]
            if not course.modules.exists():
                course_set_modules(
                    course=course,
                    modules=[ModuleSpec(order=i, title=t, planned_hours=h) for i, (t, h) in enumerate(modules, start=1)],
                )
        self._modules_on_sessions()
        self._online_workshop()
        for training in Cohort.objects.filter(is_training_of_trainers=True, end_date__lt=self.today):
            training_of_trainers_qualify(cohort=training)
        self._peer_educator()

    def _modules_on_sessions(self) -> None:
        modules = {m.order: m for m in CourseModule.objects.filter(course=self.courses["anger-management"])}
        for cohort in Cohort.objects.filter(course=self.courses["anger-management"]):
            sessions = list(cohort.sessions.filter(module__isnull=True).order_by("date", "start_time"))
            if len(sessions) != cohort.sessions.count():
                continue
            cohort_tag_sessions(
                cohort=cohort, modules={s.pk: modules.get(index + 1) for index, s in enumerate(sessions[:3])}
            )

    def _online_workshop(self) -> None:
        workshop = Cohort.objects.get(facility=self.facilities["kpz-nis"], name="Anger management – online workshop")
        sessions = list(workshop.sessions.order_by("date", "start_time"))
        if not SessionTrainer.objects.filter(session__cohort=workshop).exists():
            for session, keys in zip(sessions, demo_data.NIS_SESSION_TRAINERS, strict=False):
                places = [
                    TrainerPlace(staff_member=self.staff[k], joins_from=self.staff[k].home_city, is_remote=True)
                    for k in keys
                ]
                session_set_trainers(session=session, places=places)
        if not EquipmentNeed.objects.filter(cohort=workshop).exists():
            for kind, quantity in demo_data.NIS_EQUIPMENT_NEEDS:
                cohort_set_equipment_need(cohort=workshop, kind=kind, quantity=quantity)
        nis = self.facilities["kpz-nis"]
        donor = self.orgs["eucoe"]
        if not Donation.objects.filter(donor=donor, facility=nis).exists():
            donation = Donation.objects.create(
                donor=donor,
                facility=nis,
                date=workshop.start_date - dt.timedelta(days=30),
                note="Tablets so that prisoners can join online workshops from the training room.",
            )
            room = self.rooms["kpz-nis", "Training room"]
            for kind, name, quantity in demo_data.NIS_EQUIPMENT:
                EquipmentItem.objects.create(
                    facility=nis, donation=donation, kind=kind, name=name, quantity=quantity,
                    condition=EquipmentItem.Condition.GOOD, room=room, received_on=donation.date,
                )

    def _peer_educator(self) -> None:
        workshop = Cohort.objects.get(facility=self.facilities["kpz-nis"], name="Anger management – online workshop")
        inmate = self.inmates["NIS-0008"]
        if not PeerEducator.objects.filter(cohort=workshop, inmate=inmate).exists():
            peer_educator_assign(cohort=workshop, inmate=inmate, assigned_on=workshop.start_date)
