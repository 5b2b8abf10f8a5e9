"""The permission matrix's vocabulary: roles, the Row type, and the rows of every area.

Each module in this package (other than this one) holds `ROWS: list[Row]` for the URLs of one area, and may define
`demo_extras(demo: SimpleNamespace) -> dict` returning extra records its rows need (added to the `demo` namespace
after the core ones). `tests/test_permission_matrix.py` runs them all and fails when a URL has no row anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

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
REGISTRAR, PROBATION, DONOR = "registrar", "probation", "donor"
MANAGERS = _s(ADMIN, DIRECTOR, OFFICER)  # run programmes in their facilities
OVERSEERS = MANAGERS | {CASEWORK}  # also read lists, dashboards and profiles
DELIVERY = _s(ADMIN, DIRECTOR, TRAINER)  # registers, cancellations, final assessments
CERTS = _s(ADMIN, REGISTRAR)

__all__ = [
    "ADMIN", "CASEWORK", "CERTS", "DELIVERY", "DIRECTOR", "DONOR", "EVERYONE", "MANAGERS", "NOT_IN_MATRIX",
    "OFFICER", "OVERSEERS", "PROBATION", "REGISTRAR", "ROLES", "Row", "SimpleNamespace", "TRAINER", "_s",
]
