"""Rows for funding actions, donations, inventories and donor reports (issue 6).

In scope: the demo EU/CoE action (Kosovo, funding Lipjan's groups), Help's donation to Lipjan under it. Out of every
demo scope but the administrator's: an action of another donor in Serbia, and a donation of it to Niš.
Out-of-scope filters of the donor report (404) are checked in tests/test_donor_reports.py, since a row's query
can only name Lipjan.
"""

import datetime as dt
from types import SimpleNamespace

from programs.models import Donation, EquipmentItem, FundingAction, FundingActionCountry
from rehab.models import Organisation
from tests.matrix import ADMIN, DIRECTOR, DONOR, MANAGERS, OFFICER, Row, _s

FUNDERS = _s(ADMIN, OFFICER, DONOR)
FUNDING_EDITORS = _s(ADMIN, OFFICER)
REPORT_READERS = MANAGERS | {DONOR}


def demo_extras(demo: SimpleNamespace) -> dict:
    other_donor = Organisation.objects.create(name="Another Foundation", kind=Organisation.Kind.DONOR, country="RS")
    serbia = FundingAction.objects.create(
        code="matrix-serbia", title="Serbian action", donor=other_donor,
        start_date=dt.date(2025, 1, 1), end_date=dt.date(2027, 12, 31),
    )
    FundingActionCountry.objects.create(funding_action=serbia, country="RS")
    nis_donation = Donation.objects.create(
        funding_action=serbia, donor=other_donor, facility=demo.nis_facility, date=dt.date(2025, 3, 1)
    )
    nis_item = EquipmentItem.objects.create(
        facility=demo.nis_facility, donation=nis_donation, kind="tablet", name="Tablet", quantity=12,
        received_on=dt.date(2025, 3, 1),
    )
    action = FundingAction.objects.get(code="eu-coe-hf-kosovo-rehab")
    return {
        "action": action,
        "serbia_action": serbia,
        "lipjan_donation": action.donations.get(facility=demo.lipjan),
        "lipjan_item": EquipmentItem.objects.filter(facility=demo.lipjan).first(),
        "nis_donation": nis_donation,
        "nis_item": nis_item,
    }


ROWS: list[Row] = [
    Row("programs:funding_action_list", ok=FUNDERS),
    Row("programs:funding_action_create", ok=FUNDING_EDITORS),
    Row("programs:funding_action_detail", lambda d: {"pk": d.action.pk}, ok=FUNDERS),
    Row("programs:funding_action_detail", lambda d: {"pk": d.serbia_action.pk}, ok=_s(ADMIN), hidden=_s(OFFICER, DONOR)),
    Row("programs:funding_action_edit", lambda d: {"pk": d.action.pk}, ok=FUNDING_EDITORS),
    Row("programs:funding_action_edit", lambda d: {"pk": d.serbia_action.pk}, ok=_s(ADMIN), hidden=_s(OFFICER)),
    Row("programs:funding_action_cohorts", lambda d: {"pk": d.action.pk}, ok=FUNDING_EDITORS),
    Row("programs:funding_action_cohorts", lambda d: {"pk": d.serbia_action.pk}, ok=_s(ADMIN), hidden=_s(OFFICER)),
    Row("programs:donation_list", ok=REPORT_READERS),
    Row("programs:donation_detail", lambda d: {"pk": d.lipjan_donation.pk}, ok=REPORT_READERS),
    Row("programs:donation_detail", lambda d: {"pk": d.nis_donation.pk}, ok=_s(ADMIN),
        hidden=_s(DIRECTOR, OFFICER, DONOR)),
    Row("programs:donation_create", lambda d: {"pk": d.lipjan.pk}, ok=MANAGERS),
    Row("programs:donation_create", lambda d: {"pk": d.nis_facility.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    Row("programs:inventory_index", ok=_s(ADMIN, OFFICER), statuses={DIRECTOR: 302}),
    Row("programs:inventory", lambda d: {"pk": d.lipjan.pk}, ok=MANAGERS),
    Row("programs:inventory", lambda d: {"pk": d.nis_facility.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    Row("programs:equipment_edit", lambda d: {"pk": d.lipjan_item.pk}, ok=MANAGERS),
    Row("programs:equipment_edit", lambda d: {"pk": d.nis_item.pk}, ok=_s(ADMIN), hidden=_s(DIRECTOR, OFFICER)),
    Row("programs:donor_report", ok=REPORT_READERS),
    Row("programs:donor_report", query="facility={lipjan}", ok=REPORT_READERS),
    Row("programs:donor_report_export", query="format=csv", ok=REPORT_READERS),
    Row("programs:donor_report_export", query="format=xlsx&facility={lipjan}", ok=REPORT_READERS),
    Row("programs:donor_report_pdf", ok=REPORT_READERS),
    # Nobody asked for this PDF yet: the allowed roles get 404, the others 403.
    Row("programs:donor_report_pdf_download", statuses={role: 404 for role in REPORT_READERS}),
]
