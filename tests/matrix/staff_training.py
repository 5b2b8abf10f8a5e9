"""Rows for the staff-training screens (issue 6): staff participants, cascades, modules, online delivery, peer
educators. The donor role gets 403 on every one of them: they are all personal or programme-internal pages.

In the demo: the occupational-therapy training of trainers and its cascade run in Dubrava (Kosovo: the programme
officer's scope, not the Lipjan director's); the Niš workshop is outside every Kosovo scope.
"""

from programs.models import Cohort, Course, PeerEducator
from rehab.models import StaffMember
from tests.matrix import ADMIN, DIRECTOR, MANAGERS, OFFICER, TRAINER, Row, _s

ROWS: list[Row] = [
    # Staff as participants
    Row("programs:cohort_staff", lambda d: {"pk": d.nis.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    Row("programs:cohort_staff", lambda d: {"pk": d.group_a.pk}, ok=MANAGERS),
    Row("programs:staff_list", ok=MANAGERS),
    Row("programs:staff_detail", lambda d: {"pk": d.coach.pk}, ok=MANAGERS),
    Row("programs:staff_detail", lambda d: {"pk": d.nis_employee.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    # Training of trainers and cascades
    Row("programs:cascade_list", ok=MANAGERS),
    Row("programs:cascade_detail", lambda d: {"pk": d.ot_training.pk}, ok=_s(ADMIN, OFFICER), hidden=_s(DIRECTOR)),
    Row("programs:cascade_detail", lambda d: {"pk": d.group_a.pk}, hidden=MANAGERS),
    Row("programs:cascade_qualify", lambda d: {"pk": d.ot_training.pk}, method="post",
        statuses={ADMIN: 302, OFFICER: 302}, hidden=_s(DIRECTOR)),
    Row("programs:cohort_cascade", lambda d: {"pk": d.group_a.pk}, ok=MANAGERS),
    Row("programs:cohort_cascade", lambda d: {"pk": d.nis.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    # Modules
    Row("programs:course_modules", lambda d: {"pk": d.anger_course.pk}, ok=_s(ADMIN, OFFICER)),
    Row("programs:cohort_modules", lambda d: {"pk": d.group_a.pk}, ok=MANAGERS | {TRAINER}),
    Row("programs:cohort_modules", lambda d: {"pk": d.nis.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER, TRAINER)),
    # Online and hybrid delivery
    Row("programs:session_trainers", lambda d: {"pk": d.group_a_session.pk}, ok=MANAGERS | {TRAINER}),
    Row("programs:session_trainers", lambda d: {"pk": d.nis_session.pk}, ok=_s(ADMIN),
        hidden=_s(DIRECTOR, OFFICER, TRAINER)),
    Row("programs:cohort_equipment", lambda d: {"pk": d.group_a.pk}, ok=MANAGERS),
    Row("programs:cohort_equipment", lambda d: {"pk": d.nis.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    # Peer educators
    Row("programs:cohort_peer_educators", lambda d: {"pk": d.group_a.pk}, ok=MANAGERS),
    Row("programs:cohort_peer_educators", lambda d: {"pk": d.nis.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    Row("programs:peer_educator_toggle", lambda d: {"pk": d.nis_peer.pk}, method="post", statuses={ADMIN: 302},
        hidden=_s(DIRECTOR, OFFICER)),
]


def demo_extras(demo) -> dict:
    return {
        "coach": StaffMember.objects.get(first_name="Bashkim", last_name="Tejeci"),
        "nis_employee": StaffMember.objects.get(first_name="Dejan", last_name="Ristić"),
        "ot_training": Cohort.objects.get(name="Occupational therapy – training of trainers"),
        "anger_course": Course.objects.get(code="anger-management"),
        "nis_peer": PeerEducator.objects.get(cohort=demo.nis),
    }
