"""Business rules for delivering programmes. Keyword-only, typed, named <entity>_<action>.

One module per area; import from the module (`programs.services.enrolment`). The names below are
re-exported for the services that existed first.
"""

from programs.services.attendance import AttendanceEntry, session_expected_enrolments, session_record_register
from programs.services.enrolment import cohort_seats_taken, enrolment_create
from programs.services.sessions import SessionGeneration, cohort_generate_sessions, cohort_planned_sessions

__all__ = [
    "AttendanceEntry",
    "SessionGeneration",
    "cohort_generate_sessions",
    "cohort_planned_sessions",
    "cohort_seats_taken",
    "enrolment_create",
    "session_expected_enrolments",
    "session_record_register",
]
