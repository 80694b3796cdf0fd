"""zh-CN first, English on request: every message id of the sources has its Chinese in the catalog,
placeholders survive translation, and a page rendered in English has no Chinese left in it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from contracts.validators import check_mobile, check_vin
from kit.auth import ROLES, StaffMember
from kit.config import HTTP_PORTS, SERVICE_TITLES
from kit.errors import DomainError
from kit.i18n import CATALOG_DIR, LOCALES, translate
from kit.paging import Page
from kit.web import _environment
from services.followup.domain.care import TASK_TITLES as FOLLOWUP_TASKS
from services.followup.domain.complaints import CAUSE_TITLES as FOLLOWUP_CAUSES
from services.followup.domain.script import DEPARTMENT_TITLES as FOLLOWUP_DEPARTMENTS
from services.followup.domain.script import QUESTIONS as FOLLOWUP_QUESTIONS
from services.reception.domain.mileage import check_mileage
from services.reception.domain.pre_inspection import ACTION_LABELS as RECEPTION_ACTIONS
from services.reception.domain.pre_inspection import ROOT_CAUSES as RECEPTION_ROOT_CAUSES
from services.reception.domain.pre_inspection import TRIGGERS as RECEPTION_TRIGGERS
from services.reception.domain.walk_around import CHECKS, COVERS, DAMAGE_KINDS, MISSING_LABELS, UNDER_BONNET, ZONES
from services.staff.domain import DEPARTMENTS, check_roles
from services.workshop.domain.work_orders import QualityCheckBlocked
from tests.support.hq_pages import HQ_PAGES
from tests.support.parts_pages import PARTS_COUNTER_EMPTY, PARTS_COUNTER_PAGES
from tests.support.permissions import PERMISSIONS
from tests.support.workshop_pages import WORKSHOP_EMPTY, WORKSHOP_PAGES

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = CATALOG_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
HAN = re.compile(r"[\u4e00-\u9fff]")
# The language switch names the other language in that language ("中文" on an English page), by design.
LANGUAGE_SWITCH = re.compile(r'<a class="lang"[^>]*>.*?</a>', re.S)


def _catalog():
    with PO_FILE.open("rb") as fh:
        return read_po(fh, locale="zh_CN")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """The message ids in the sources, extracted exactly as `make i18n` does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    # fmt: off
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "N_", "-k", "DomainError", "-k", "NotFound",
        "-o", str(pot), "--no-location", "--omit-header", str(ROOT),
    ])
    # fmt: on
    with pot.open("rb") as fh:
        return {message.id for message in read_po(fh) if message.id}


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in Formatter().parse(text) if name is not None)


# --- (a) the catalog is complete ----------------------------------------------------------------


def test_extraction_finds_the_message_ids_of_python_and_templates(extracted):
    assert len(extracted) > 150
    # a sample from each source kind: N_, DomainError, NotFound, a kit template, a service template
    assert {"Appointment board", "The VIN must be 17 characters, without I, O or Q", "Invoice not found"} <= extracted
    assert {"Sign out", "Waiting for dispatch", "Staff ID"} <= extracted


def test_every_message_id_of_the_sources_has_a_chinese_translation(extracted):
    catalog = _catalog()
    untranslated = sorted(msgid for msgid in extracted if (m := catalog.get(msgid)) is None or not m.string or m.fuzzy)
    assert untranslated == [], "run `make i18n` and translate in " + str(PO_FILE.relative_to(ROOT))


def test_the_catalog_has_no_fuzzy_or_empty_entries():
    catalog = _catalog()
    assert [m.id for m in catalog if m.id and (m.fuzzy or not m.string)] == []
    assert catalog.obsolete == {}


def test_every_translation_is_written_in_chinese():
    """Han characters, or for the separators Chinese punctuation (、；) - never the English copied over."""
    chinese = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
    assert [m.id for m in _catalog() if m.id and not chinese.search(m.string)] == []


# --- (b) placeholders survive translation ---------------------------------------------------------


def test_every_translation_keeps_exactly_the_placeholders_of_its_message_id():
    wrong = [(m.id, m.string) for m in _catalog() if m.id and _fields(m.id) != _fields(m.string)]
    assert wrong == []


# --- (c) refusals in both languages ----------------------------------------------------------------


def test_a_refusal_is_chinese_by_default_and_english_on_request():
    with pytest.raises(DomainError) as exc:
        check_vin("123")
    assert exc.value.message == "车架号(VIN)须为17位，且不含 I、O、Q"
    assert exc.value.message_in("en") == "The VIN must be 17 characters, without I, O or Q"
    assert exc.value.field == "vin" and exc.value.code == "vin_invalid"


def test_placeholders_are_filled_in_both_languages():
    with pytest.raises(DomainError) as exc:
        check_mileage(35000, 35210)
    assert exc.value.message == "行驶里程不能低于上次记录 35210 公里"
    assert exc.value.message_in("en") == "Mileage cannot be lower than the last reading of 35210 km"


@pytest.mark.parametrize(
    ("refuse", "chinese"),
    [
        (lambda: check_mobile("12345"), "手机号码格式不正确(应为11位中国大陆手机号)"),
        (lambda: check_roles([]), "岗位不正确: 至少选择一个岗位"),
        (lambda: check_roles(["pilot"]), "岗位不正确: pilot"),
    ],
)
def test_refusals_read_as_before_in_chinese_and_have_english(refuse, chinese):
    with pytest.raises(DomainError) as exc:
        refuse()
    assert exc.value.message == chinese
    assert not HAN.search(exc.value.message_in("en"))


def test_the_quality_check_blockers_are_listed_in_the_readers_language():
    error = QualityCheckBlocked({1: "done", 3: "in_progress"}, {2: Decimal("1")}, {})
    assert error.message == "不能通过质检：第3行 项目未完工；第2行 备件未领齐"
    assert error.message_in("en") == (
        "Cannot pass the quality check: Line 3: job not finished; Line 2: parts not all issued"
    )
    assert str(error) == error.message and error.code == "qc_blocked"


def test_role_department_and_service_titles_have_both_languages():
    for msgid in [*ROLES.values(), *DEPARTMENTS.values(), *SERVICE_TITLES.values()]:
        assert HAN.search(translate(msgid, "zh_CN")), msgid
        assert translate(msgid, "en") == msgid


# --- (d) pages in English have no Chinese left --------------------------------------------------------

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
ADMIN = StaffMember("ADMIN", "Admin", ("admin", "service_manager")).within(PERMISSIONS)
SIGNED_ORDER = {"status": "signed", "signed_version": 2, "draft": {"total": Decimal("169.50"), "promised_at": NOW}}
DRAFT_ORDER = {"status": "draft", "signed_version": None, "draft": {"total": Decimal("58.00"), "promised_at": NOW}}
SIGN_LINE = {"line_no": 1, "description": "Oil change", "code": "LAB-OIL", "quantity": 1, "unit_price": 1, "amount": 1}

_SKILLS = {"mechanical": "Mechanical", "electrical": "Electrical", "body": "Body and paint", "quick": "Quick service"}
_LOAD_ROW = {"booked_hours": Decimal("1.5"), "bookable_hours": Decimal("3.6"), "capacity_hours": Decimal("6.0")}
LOAD_PAGE = {  # the workshop's load view (R-BK-10, R-WS-7), in the workshop and at the booking desk
    "load": {
        "day": NOW.date(),
        "appointment_share": Decimal("0.6"),
        "technicians": 10,
        "bays": 8,
        "by_hour": [
            {"label": "09:00", **_LOAD_ROW, "by_skill": {s: dict(_LOAD_ROW) for s in _SKILLS}},
        ],
        "by_day": [{"day": NOW.date(), "label": "11-28", **_LOAD_ROW}],
    },
    "skills": _SKILLS,
    "hour_rows": [{"label": "09:00", "value": Decimal("1.5"), "limit": Decimal("3.6")}],
    "day_rows": [{"label": "11-28", "value": Decimal("1.5"), "limit": Decimal("3.6")}],
}

# What each department page is given by its service (rows without any Chinese, so any Chinese is the page's own).
PAGES = {
    ("billing", "index.html"): {
        "result": Page(items=[], page=2, per_page=1, total=3),
        "q": "",
        "alerts": [{"at": NOW, "plate": "A-D1234", "cause": "forged", "guard_id": "G001"}],
        "invoices": [
            {
                "plate": "A-D1234",
                "customer_name": "Wang",
                "advisor_id": "A001",
                "status": status,
                "total": Decimal("1"),
                "problems": [],
                "updated_at": NOW,
                "gate_pass_no": "G-1",
                "order_id": "o1",
                "invoice_id": "i1",
            }
            for status in ("waiting", "blocked", "ready", "paid")
        ],
    },
    ("billing", "invoice.html"): {
        "inv": {
            "invoice_id": "i1",
            "order_id": "o1",
            "plate": "A-D1234",
            "customer_name": "Wang",
            "advisor_id": "A001",
            "status": "blocked",
            "problems": ["line 9"],
            "lines": [
                {
                    "line_no": 1,
                    "kind": "part",
                    "code": "P-1",
                    "description": "Filter",
                    "quantity": Decimal("1"),
                    "unit_price": Decimal("1.00"),
                    "amount": Decimal("1.00"),
                }
            ],
            "pay_type": "customer",
            "pay_types": {"1": "warranty"},
            "bills": {
                "warranty": {"labour": "0.00", "materials": "1.00", "discount": "0.00", "vat": "0.13", "total": "1.13"}
            },
            "variances": [
                {
                    "key": "part:9:P-2",
                    "line_no": 9,
                    "code": "P-2",
                    "quantity": "1",
                    "value": "2.00",
                    "problem": "line 9",
                    "waived": False,
                }
            ],
            "payments": [
                {
                    "payment_id": "p1",
                    "kind": "refund",
                    "method": "cash",
                    "amount": Decimal("1.00"),
                    "taken_by": "C001",
                    "at": NOW,
                    "approved_by": None,
                }
            ],
            "balance": Decimal("1.13"),
            "delivered": True,
            "warranty_claim": {"vin": "V", "mileage_km": 1, "failure_code": "B1"},
            "gate_pass": {"pass_no": "GP1", "token": "t", "used_at": None},
            "corrections": [
                {"at": NOW, "actor_id": "M001", "kind": "adjustment", "reason": "r", "detail": {"discount": "1.00"}}
            ],
        },
        "methods": ("cash", "card", "wechat", "alipay", "account"),
        "payers": ("customer", "warranty", "internal"),
    },
    ("billing", "delivery.html"): {
        "d": {
            "order_id": "o1",
            "invoice_id": "i1",
            "plate": "A-D1234",
            "customer_name": "Wang",
            "receiving_advisor": "A001",
            "total": Decimal("1.13"),
            "lines": [
                {
                    "line_no": 1,
                    "kind": "part",
                    "code": "P-1",
                    "description": "Filter",
                    "quantity": Decimal("1"),
                    "unit_price": Decimal("1.00"),
                    "amount": Decimal("1.00"),
                }
            ],
            "wear": [{"item": "pad_front", "measured_mm": "3", "limit_mm": "2"}],
            "findings": {"finished_bay": "F1", "washed": True},
            "deferred_work": [{"description": "pads", "urgency": "safety"}],
            "safety_declined": [{"description": "pads", "urgency": "safety"}],
            "old_parts": [{"line_no": 1, "part_no": "P-1", "quantity": Decimal("1")}],
            "next_service": {"date": "2027-06-01", "km": 40000},
            "delivered": None,
        },
        "checks": ("work_explained", "bill_explained", "wear_told", "covers_removed", "copies_handed"),
        "fates": ("returned_to_customer", "scrapped", "kept_for_warranty"),
        "errors": {},
    },
    ("billing", "gate.html"): {"alerts": [{"at": NOW, "plate": "A-D1234", "cause": "used"}]},
    ("reception", "gate_in.html"): {
        "bays": [{"bay": "P1", "visit": {"plate": "A-D1234", "ticket": "A001"}}, {"bay": "P2", "visit": None}],
        "waiting": [{"ticket": "A002", "plate": "B-88K21", "waited_minutes": 21, "over_limit": True}],
        "open_incident": {"id": 1},
    },
    ("billing", "prices.html"): {
        "versions": [
            {"version": "v2", "status": "draft", "effective_from": NOW, "prepared_by": "C001"},
            {"version": "v1", "status": "published", "effective_from": NOW},
        ],
        "compared": {
            "from": "v1",
            "to": "v2",
            "labour_rate": (Decimal("1.00"), Decimal("2.00")),
            "vat_rate": (Decimal("0.13"), Decimal("0.13")),
            "parts": {
                "changed": [{"part_no": "P-1", "name": "Filter", "before": "1.00", "after": "2.00"}],
                "added": [{"part_no": "P-2", "name": "Pad", "unit_price": "3.00"}],
                "removed": [],
            },
        },
    },
    ("billing", "numbers.html"): {
        "n": {"count": 1, "average_order": Decimal("1.13"), "labour": Decimal("0"), "materials": Decimal("1.00")},
        "charts": {
            "revenue": [{"label": "customer", "value": Decimal("1.00")}],
            "discounts": [{"label": "M001", "value": Decimal("1.00")}],
            "causes": [{"label": "not_on_quote", "value": 1}],
        },
    },
    ("booking", "welcome.html"): {
        "arrivals": [
            {"starts_at": NOW, "advisor_id": "A001", "plate": "A-D1234", "greeting": "Wang"},
            {"starts_at": NOW, "advisor_id": "A001", "plate": "B-88K21", "greeting": ""},
        ]
    },
    ("booking", "customers.html"): {
        "result": Page(items=[], page=2, per_page=1, total=3),
        "q": "",
        "customers": [
            {
                "customer_id": "C-1",
                "name": "Wang",
                "mobile": "13912345678",
                "preferred_advisor_id": "A001",
                "vehicles": [{"vin": "LSVAM4187C2184847", "plate": "A-D1234", "model": "Passat"}],
            }
        ],
    },
    ("booking", "customer.html"): {
        "values": {},
        "errors": {"mileage_km": ["bad"]},
        "customer": {
            "customer_id": "C-1",
            "name": "Wang",
            "salutation": "",
            "mobile": "13912345678",
            "email": "wang@example.com",
            "birthday": "1985-03-02",
            "preferred_advisor_id": "A001",
            "privacy": "surname",
            "vehicles": [
                {
                    "vin": "LSVAM4187C2184847",
                    "plate": "A-D1234",
                    "model": "Passat",
                    "purchase_date": "2024-05-01",
                    "km_per_day": Decimal("41.5"),
                    "km_per_day_estimated": estimated,
                    "readings": [{"read_on": "2026-11-01", "mileage_km": 23500}],
                    "next_due": [
                        {
                            "name_zh": "-",
                            "name_en": "Oil",
                            "due_on": "2026-12-01",
                            "due_km": 30000,
                            "reason": reason,
                            "overdue": reason == "km",
                        }
                        for reason in ("km", "months")
                    ],
                    "history": [{"delivered_at": NOW, "mileage_km": 20000, "labour_codes": ["LAB-OIL"]}],
                }
                for estimated in (True, False)
            ],
            "appointments": [
                {"starts_at": NOW, "advisor_id": "A001", "status": status, "complaint": "Idle shake"}
                for status in ("booked", "cancelled", "no_show")
            ],
            "calls": [
                {
                    "created_at": NOW,
                    "kind": kind,
                    "words": "Shakes",
                    "status": "open",
                    "outcomes": [{"outcome": "call_back", "by": "B001", "at": NOW, "note": "Later"}],
                }
                for kind in ("proactive", "inbound")
            ],
        },
    },
    ("booking", "calls.html"): {
        "values": {"days": "30"},
        "errors": {"days": ["bad"]},
        "failed_call": "K-1",
        "calls": [
            {
                "call_id": f"K-{n}",
                "kind": kind,
                "status": status,
                "customer_id": "C-1",
                "customer": {"name": "Wang", "mobile": "13912345678", "preferred_advisor_id": "A001"},
                "vehicle": {"plate": "A-D1234"},
                "words": "Shakes when braking" if kind == "inbound" else "",
                "due_items": [
                    {
                        "name_zh": "-",
                        "name_en": "Brake fluid",
                        "due_on": "2026-12-15",
                        "reason": "months",
                        "overdue": True,
                    }
                ]
                if kind == "proactive"
                else [],
                "suggestions": [
                    {
                        "code": "BRAKE-JUDDER",
                        "name": {"zh_CN": "-", "en": "Brake judder"},
                        "causes": {"zh_CN": ["-"], "en": ["Disc run-out"]},
                        "advice": {"zh_CN": "-", "en": "Measure the discs"},
                        "estimate": estimate,
                    }
                    for estimate in (
                        {"gross": "2203.50", "hours": "1.5", "price_list_version": "2026.11-1", "unpriced": ["X"]},
                        None,
                    )
                ]
                if kind == "inbound"
                else [],
                "call_back_at": NOW if status == "call_back" else None,
                "outcomes": [{"outcome": "unreachable", "by": "B001", "at": NOW, "note": "No answer"}],
            }
            for n, (kind, status) in enumerate([("proactive", "open"), ("inbound", "call_back")], start=1)
        ],
    },
    ("booking", "advisor.html"): {
        "advisor_id": "A001",
        "now": NOW,
        "values": {},
        "errors": {"time": ["bad"], "_": ["bad"]},
        "failed": "AP-1",
        "due": [
            {
                "task_id": "CT-1",
                "kind": "day_before",
                "starts_at": NOW,
                "answer_by": NOW,
                "overdue": True,
                "escalated_at": NOW,
                "customer": {"name": "Wang", "mobile": "13912345678"},
                "plate": "A-D1234",
            }
        ],
        "appointments": [
            {
                "appointment_id": "AP-1",
                "starts_at": NOW,
                "vehicle": {"plate": "A-D1234", "model": "Passat"},
                "customer": {"name": "Wang"},
                "complaint": "Idle shake",
                "parts_status": status,
                "parts_short": [{"part_no": "P-DISC-F", "quantity_short": "1", "expected_on": "2026-12-01"}],
                "prepared": status == "reserved",
                "preparation": [
                    {
                        "item": "parts",
                        "title": "Parts on the appointment shelf",
                        "done": done,
                        "auto": done,
                        "done_by": None,
                        "done_at": NOW if done else None,
                        "note": "",
                    }
                    for done in (True, False)
                ],
                "confirmations": [
                    {"kind": kind, "status": answer, "escalated_at": NOW if answer == "open" else None}
                    for kind, answer in (("day_before", "confirmed"), ("hour_before", "open"))
                ],
            }
            for status in ("pending", "reserved", "short")
        ],
    },
    ("booking", "index.html"): {
        "result": Page(items=[], page=2, per_page=1, total=3),
        "q": "",
        "values": {"privacy": "surname", "advisor_id": "A001"},
        "errors": {"mobile": ["bad"]},
        "appointments": [
            {
                "starts_at": NOW,
                "vehicle": {"plate": "A-D1234", "model": "Passat"},
                "customer": {"name": "Wang"},
                "advisor_id": "A001",
                "complaint": "Idle shake",
                "parts_status": status,
                "parts_short": [{"part_no": "P-DISC-F", "quantity_short": "1", "expected_on": "2026-12-01"}],
            }
            for status in ("pending", "reserved", "short")
        ],
    },
    ("followup", "index.html"): {
        "calls": [
            {
                "vehicle": {"plate": "A-D1234"},
                "customer": {"name": "Wang", "mobile": "13912345678"},
                "delivered_at": NOW,
                "due_from": NOW,
                "due_by": NOW,
                "assigned_to": assigned,
                "advisor_id": "A001",
            }
            for assigned in (None, "F001")
        ],
        "result": Page(items=[], page=2, per_page=1, total=3),
        "q": "",
        "callers": [{"staff_id": "F001", "name": "Zhou", "role": "followup_agent", "active": True}],
        "errors": {"assigned_to": ["refused"]},
        "failed": None,
    },
    ("followup", "call.html"): {
        "call": {
            "call_id": "c1",
            "customer": {"name": "Wang", "mobile": "13912345678"},
            "vehicle": {"plate": "A-D1234"},
            "advisor_id": "A001",
            "total": Decimal("169.50"),
            "labour_codes": ["LAB-OIL"],
            "delivered_at": NOW,
            "due_from": NOW,
            "due_by": NOW,
            "deadline": NOW,
            "status": "unreachable",
            "attempts": [{"at": NOW, "by": "F001", "outcome": "unreachable"}],
            "ladder": {"next_attempt_at": NOW},
        },
        "questions": FOLLOWUP_QUESTIONS,
        "departments": FOLLOWUP_DEPARTMENTS,
        "score_range": range(1, 6),
        "causes": FOLLOWUP_CAUSES,
        "values": {"outcome": "complaint", "score_workshop": "2"},
        "errors": {"scores.workshop": ["refused"], "cause": ["refused"]},
    },
    ("followup", "complaints.html"): {
        "complaints": [
            {
                "complaint_id": "k1",
                "opened_at": NOW,
                "vehicle": {"plate": "A-D1234"},
                "customer": {"name": "Wang"},
                "cause": "workmanship",
                "manager_id": "D001",
                "recontact_by": NOW,
                "state": state,
                "escalated_at": None,
            }
            for state in ("open", "escalated")
        ],
        "causes": FOLLOWUP_CAUSES,
    },
    ("followup", "complaint.html"): {
        "c": {
            "complaint_id": "k1",
            "customer": {"name": "Wang"},
            "vehicle": {"plate": "A-D1234", "vin": ""},
            "cause": "workmanship",
            "state": "escalated",
            "words": "noise",
            "manager_id": "D001",
            "recontact_by": NOW,
            "recontacted_at": NOW,
            "escalated_at": NOW,
            "remedy": "free repair",
            "booked_appointment": "a1",
            "actions": [
                {"id": 1, "kind": "corrective", "text": "train", "owner": "D001", "due_on": NOW.date(), "done_at": None}
            ],
        },
        "causes": FOLLOWUP_CAUSES,
        "kinds": ("remedy", "preventive", "corrective"),
        "values": {},
        "errors": {"customer_agreed": ["refused"]},
    },
    ("followup", "report.html"): {
        "r": {
            "month": "2026-12",
            "calls_due": 4,
            "calls_made": 3,
            "reached": 2,
            "followup_rate": Decimal("75.0"),
            "reach_rate": Decimal("66.7"),
            "satisfaction_by_department": {
                "booking": Decimal("4.00"),
                "reception": None,
                "workshop": Decimal("3.5"),
                "settlement": None,
            },
            "satisfaction_by_advisor": {"A001": Decimal("3.67")},
            "complaints_by_cause": {"parts": 2},
            "open_actions": 1,
            "actions": [
                {
                    "complaint_id": "k1",
                    "plate": "A-D1234",
                    "kind": "corrective",
                    "text": "train",
                    "owner": "D001",
                    "due_on": NOW.date(),
                }
            ],
        },
        "departments": FOLLOWUP_DEPARTMENTS,
        "causes": FOLLOWUP_CAUSES,
    },
    ("followup", "care.html"): {
        "tasks": [
            {
                "task_id": "t1",
                "customer_key": "13912345678",
                "name": "Wang",
                "plate": "A-D1234",
                "kind": kind,
                "owner": "SM01",
                "due_at": NOW,
                "note": "",
            }
            for kind in ("sales_manager_call", "technician_callback")
        ],
        "customers": [
            {
                "customer_key": "13912345678",
                "name": "Wang",
                "mobile": "13912345678",
                "plate": "A-D1234",
                "city": "SH",
                "handed_over_at": NOW,
            }
        ],
        "titles": FOLLOWUP_TASKS,
        "columns": ["name", "mobile"],
        "channels": ("phone", "sms"),
        "errors": {"file": ["refused"]},
    },
    ("followup", "callbacks.html"): {
        "callbacks": [
            {
                "task_id": "t1",
                "customer": {"name": "Wang", "mobile": "13912345678"},
                "vehicle": {"plate": "A-D1234"},
                "question": "noise",
            }
        ],
        "errors": {"answer": ["refused"]},
        "failed": "t1",
    },
    ("followup", "care_customer.html"): {
        "f": {
            "customer_key": "13912345678",
            "name": "Wang",
            "mobile": "13912345678",
            "plate": "A-D1234",
            "model": "X",
            "salesperson": "SP01",
            "sales_manager": "SM01",
            "birthday": NOW.date(),
            "referred_by": "13900000001",
            "consent": True,
            "details": {"interests": "fishing"},
            "opted_out": ["sms"],
            "tasks": [{"task_id": "t1", "kind": "salesperson_call", "due_at": NOW}],
            "log": [{"at": NOW, "by": "F001", "channel": "phone", "result": "fine", "booked_appointment": "a1"}],
            "invitations": [
                {"id": 1, "event_name": "Free check day", "held_on": NOW.date(), "channel": "phone", "reply": "yes"}
            ],
            "referrals": [{"referred_name": "Li", "referred_mobile": "13900000002", "at": NOW}],
        },
        "titles": FOLLOWUP_TASKS,
        "channels": ("phone", "sms", "email", "letter", "wechat", "visit"),
        "personal": ("address", "interests", "family_birthdays"),
        "values": {},
        "errors": {"channel": ["refused"]},
    },
    ("parts", "index.html"): {
        "stock": [{"part_no": "P-OIL", "name": "Oil", "location": loc, "quantity": 2} for loc in ("APPT-SHELF", "400")],
        "reservations": [
            {"appointment_id": "0123456789", "part_no": "P-OIL", "quantity": 1, "status": status, "reserved_at": NOW}
            for status in ("reserved", "issued")
        ],
        "issues": [
            {
                "order_id": "0123456789",
                "line_no": 2,
                "part_no": "P-OIL",
                "quantity": 1,
                "from_location": "APPT-SHELF",
                "technician_id": "T001",
                "issued_at": NOW,
            }
        ],
    },
    ("reception", "index.html"): {
        "arrivals": [
            {
                "starts_at": NOW,
                "plate": "A-D1234",
                "customer": {"name": "Wang"},
                "advisor_id": "A001",
                "complaint": "Idle shake",
                "arrived": arrived,
            }
            for arrived in (True, False)
        ],
        "visits": [
            {
                "checked_in_at": NOW,
                "plate": "A-D1234",
                "customer": {"name": "Wang"},
                "advisor_id": "A001",
                "order": order,
            }
            for order in (SIGNED_ORDER, DRAFT_ORDER, None)
        ],
    },
    ("reception", "visit.html"): {  # the write-up on the tablet (services/reception/web/write_up.py)
        "visit": {
            "visit_id": "V-1",
            "appointment_id": None,
            "plate": "A-D1234",
            "customer": {"name": "Wang"},
            "vehicle": {"vin": "LSVAM4187C2184847", "model": "Passat"},
            "advisor_id": "A001",
            "order": DRAFT_ORDER | {"order_id": "O-1"},
            "ticket": "007",  # R-RC-8: the queue ticket
        },
        "sheet": {
            "covers": {"seat": NOW.isoformat()},
            "covers_by": "A001",
            "vin": None,
            "mileage_km": 1200,
            "fuel_eighths": 4,
            "checks": {"tyres": {"state": "ok", "note": ""}, "glass": {"state": "attention", "note": "Chip"}},
            "valuables": {"left": True, "note": "Wallet"},
            "damages": [{"zone": "bonnet", "kind": "dent", "note": "5 cm"}],
            "first_service": True,
            "missing": ["covers.floor", "vin", "checks.underbody", "valuables"],
            "completed_at": None,
            "last_mileage_km": 35210,
            "odometer_changes": [
                {"previous_km": 35210, "reason": "Cluster", "confirmed_by": "M001", "confirmed_at": NOW}
            ],
        },
        "write_up": {
            "customer_words": "Idle shake",
            "concern": "",
            "cause": "",
            "correction": "",
            "symptom_codes": ["COLD"],
            "pay_type": "customer",
            "key_tag": "K-1",
            "customer_waits": None,
        },
        "jobs": [{"code": "LAB-OIL", "description": "Oil", "quantity": 1, "amount": Decimal("150.00")}],
        "findings": [
            {"id": i, "description": "Brake fluid", "lines": [SIGN_LINE], "amount": Decimal("1"), "status": status}
            for i, status in enumerate(("proposed", "accepted", "declined"))
        ],
        "suggestions": [
            {"code": "COLD", "name": "Cold idle", "causes": ["Throttle"], "advice": "Clean", "estimate": None},
            {"code": "X", "name": "Shake", "causes": [], "advice": "", "estimate": {"gross": 1, "hours": 1}},
        ],
        "price_book": {
            "version": "1",
            "labour": [{"code": "LAB-OIL", "name": "Oil", "hours": 1}],
            "parts": [{"code": "P-1", "name": "Filter", "price": 1}],
        },
        "errors": {"mileage_km": ["bad"], "key_tag": ["bad"]},
        "form": {},
        "bays": ("P1", "P2"),
        "occupied_bays": {"P1": "A-D1234"},
        "zones": ZONES,
        "kinds": DAMAGE_KINDS,
        "covers": COVERS,
        "checks": CHECKS,
        "missing_labels": MISSING_LABELS,
        "under_bonnet": UNDER_BONNET,
    },
    ("reception", "amend.html"): {  # R-WS-3 (services/reception/handlers/versions.py `amendment`)
        "amendment": {
            "amendment_id": "AM-1",
            "order_id": "O-1",
            "status": "awaiting_consent",
            "lines": [SIGN_LINE],
            "accepted": [],
            "added_total": Decimal("1.13"),
            "promised_at": NOW,
            "previous_promised_at": NOW,
            "new_version": None,
            "request": {"reason": "Worn pads", "reported_by": "T001", "reported_at": NOW, "job_line_no": 1},
            "order": {"plate": "A-D1234", "customer": {"name": "Wang"}, "advisor_id": "A001", "signed_version": 1},
        },
        "errors": {"consent": ["no"]},
        "values": {},
    },
    ("reception", "amend_requests.html"): {
        "requests": [
            {
                "request_id": "AW-1",
                "order_id": "O-1",
                "plate": "A-D1234",
                "reported_by": "T001",
                "reported_at": NOW,
                "reason": "Worn pads",
                "lines": [{"kind": "part", "code": "P-PAD-F", "quantity": "1"}],
                "status": status,
                "amendment_id": "AM-1",
                "job_line_no": 1,
            }
            for status in ("open", "priced", "answered")
        ]
    },
    ("reception", "amend_versions.html"): {
        "order_id": "O-1",
        "versions": [
            {
                "version": n,
                "signed_at": NOW,
                "advisor_id": "A001",
                "total": Decimal("1"),
                "promised_at": NOW,
                "consent": consent,
                "declined_lines": [{"description": "Alignment", "code": "LAB-ALIGN"}],
                "verification": {"valid": n == 1, "reason": "altered"},
            }
            for n, consent in ((1, None), (2, {"method": "phone", "staff_id": "A1", "at": NOW, "customer_words": "ok"}))
        ],
        "requests": [],
    },
    ("reception", "congestion_summary.html"): {
        "report": {
            "month": "2026-11",
            "summary": {
                "incidents": 2,
                "by_trigger": {"queue": 1, "wait": 1},
                "reviewed": 1,
                "unreviewed": 1,
                "still_open": 1,
                "max_waiting_cars": 5,
                **{f"{k}_minutes": Decimal("20.5") for k in ("average_wait", "max_wait")},
                **{f"{k}_minutes": Decimal("9.0") for k in ("average_congested", "max_congested")},
                "by_responsible": [{"staff_id": "A001", "name": "Li", "incidents": 1}],
                "fines": [{"staff_id": "A001", "cars": 2, "fine": Decimal("100.00")}],
                "by_action": {"temporary_park_with_ticket": 1, "move_written_up_cars_to_workshop_waiting_bays": 0},
            },
            "incidents": [
                {
                    "id": n,
                    "raised_at": NOW,
                    "cleared_at": cleared,
                    "trigger": trigger,
                    "waiting": 4,
                    "longest_wait_minutes": Decimal("21.0"),
                    "root_cause": cause,
                    "root_cause_note": "Rain",
                    "responsible_id": "A001",
                    "responsible_name": "Li",
                    "actions": "Extra advisor",
                    "actions_taken": [
                        {"action": a, "note": "3 cars", "taken_by": "M001", "taken_by_name": "Zhao", "taken_at": NOW}
                        for a in RECEPTION_ACTIONS
                    ],
                }
                for n, trigger, cause, cleared in ((1, "queue", "walk_ins", NOW), (2, "wait", None, None))
            ],
        },
        "charts": {
            "per_day": [{"label": "1", "value": 2}],
            "waits": [{"label": "01 09:00", "value": Decimal("21"), "limit": Decimal("20")}],
            "causes": [{"label": "Walk-ins", "value": 1}],
        },
        "causes": RECEPTION_ROOT_CAUSES,
        "triggers": RECEPTION_TRIGGERS,
        "action_labels": RECEPTION_ACTIONS,
        "may_review": True,
    },
    ("reception", "pre_inspection.html"): {  # R-RC-8: the area's screen, its board, the alert banner
        "area": {
            "bays": [
                {
                    "bay": "P1",
                    "visit": {
                        "visit_id": "V-1",
                        "plate": "A-D1234",
                        "ticket": "001",
                        "advisor_id": "A001",
                        "since": NOW,
                        "called_by": "A001",
                    },
                },
                {"bay": "P2", "visit": None},
            ],
            "waiting": [
                {
                    "visit_id": f"V-{n}",
                    "plate": "A-D1234",
                    "ticket": f"00{n}",
                    "advisor_id": "A001",
                    "checked_in_at": NOW,
                    "waited_seconds": n * 400,
                    "waited_minutes": n * 7,
                    "over_limit": n > 2,
                }
                for n in (2, 3)
            ],
            "open_incident": {
                "id": 1,
                "trigger": "queue",
                "raised_at": NOW,
                "actions_taken": [
                    {
                        "action": "temporary_park_with_ticket",
                        "note": "",
                        "taken_by": "M001",
                        "taken_by_name": "Zhao",
                        "taken_at": NOW,
                    }
                ],
            },
            "incidents": [],
        },
        "now": NOW,
        "triggers": RECEPTION_TRIGGERS,
        "action_labels": RECEPTION_ACTIONS,
        "may_act": True,
        "may_call": True,
    },
    ("reception", "ticket.html"): {  # R-RC-8: the customer's printed queue ticket
        "visit": {
            "visit_id": "V-1",
            "plate": "A-D1234",
            "ticket": "004",
            "checked_in_at": NOW,
            "pre_inspection_started_at": None,
            "pre_inspection_bay": None,
        },
        "ahead": 3,
    },
    ("reception", "notices.html"): {
        "notices": [
            {
                "key": f"{kind}:O-1",
                "kind": kind,
                "created_at": NOW,
                "order_id": "O-1",
                "plate": "A-D1234",
                "customer": {"name": "Wang", "mobile": "13912345678"},
                "advisor_id": "A001",
            }
            for kind in ("work_started", "consent_needed", "delay", "ready")
        ]
    },
    ("reception", "congestion_review.html"): {
        "incident": {
            "id": 1,
            "raised_at": NOW,
            "cleared_at": None,
            "trigger": "queue",
            "waiting": 4,
            "longest_wait_minutes": Decimal("21.0"),
            "actions_taken": [
                {"action": "move_written_up_cars_to_workshop_waiting_bays", "taken_by": "M001", "taken_at": NOW}
            ],
        },
        "values": {"root_cause": "other", "responsible_id": "A001"},
        "errors": {"root_cause_note": ["bad"], "actions": ["bad"]},
        "causes": RECEPTION_ROOT_CAUSES,
        "triggers": RECEPTION_TRIGGERS,
        "action_labels": RECEPTION_ACTIONS,
        "month": "2026-11",
    },
    ("reception", "sign.html"): {
        "order": {
            "order_id": "O-1",
            "status": "draft",
            "signed_version": None,
            "draft": {
                "vehicle": {"plate": "A-D1234"},
                "customer": {"name": "Wang"},
                "advisor_id": "A001",
                "lines": [SIGN_LINE],
                "subtotal": 1,
                "vat": 0,
                "total": 1,
                "promised_at": NOW,
            },
        },
        "errors": {},
    },
    ("staff", "index.html"): {
        "directory": [
            {
                "staff_id": "A001",
                "name": "Wang",
                "mobile": "13900000001",
                "department": department,
                "roles": list(ROLES),
            }
            for department in DEPARTMENTS
        ],
        "roles": ROLES,
        "departments": DEPARTMENTS,
        "values": {},
        "errors": {},
    },
    ("staff", "login.html"): {"values": {}, "errors": {}},
    ("workshop", "additional_work.html"): {  # R-WS-3 (services/workshop/additional_work.py view_of)
        "wo": {
            "order_id": "O-1",
            "plate": "A-D1234",
            "advisor_id": "A001",
            "version": 2,
            "technician_id": "T001",
            "jobs": [{"line_no": 1, "code": "LAB-OIL", "description": "Oil change", "status": "done"}],
            "notices": [
                {
                    "version": 2,
                    "added": [{"code": "P-PAD-F", "description": "Pads"}],
                    "declined": [{"code": "LAB-ALIGN", "description": "Alignment"}],
                },
                {"version": 2, "added": [], "declined": [{"code": "LAB-ALIGN", "description": "Alignment"}]},
            ],
            "additional_work": [
                {
                    "reported_at": NOW,
                    "reported_by": "T001",
                    "reason": "Worn pads",
                    "lines": [{"code": "P-PAD-F", "quantity": "1"}],
                    "status": status,
                    "answered_version": 2,
                    "job_line_no": 1,
                }
                for status in ("requested", "amended", "declined")
            ],
        },
        "values": {"kind-0": "part"},
        "errors": {"reason": ["no"]},
    },
    ("workshop", "index.html"): {
        "work_orders": [
            {
                "plate": "A-D1234",
                "advisor_id": "A001",
                "status": status,
                "technician_id": "T001",
                "bay_id": "B1",
                "jobs": [
                    {"description": "Oil change", "status": "done"},
                    {"description": "Brakes", "status": "waiting"},
                ],
                "promised_at": NOW,
            }
            for status in ("waiting_dispatch", "in_progress", "ready")
        ],
        "now": NOW,
    },
    ("workshop", "load.html"): LOAD_PAGE,
    ("booking", "load.html"): LOAD_PAGE,
}
EMPTY = {
    "invoices": [],
    "appointments": [],
    "calls": [],
    "stock": [],
    "reservations": [],
    "issues": [],
    "arrivals": [],
    "visits": [],
    "work_orders": [],
    "requests": [],  # reception's additional work (R-WS-3)
    "versions": [],
    "customers": [],  # booking's customer files, confirmation calls due
    "due": [],
    "complaints": [],  # follow-up
    "tasks": [],
    "callbacks": [],
}
PAGES.update(WORKSHOP_PAGES)  # the workshop floor's pages (dispatch, tablet, expert, QC, numbers)
EMPTY.update(WORKSHOP_EMPTY)


PAGES.update(PARTS_COUNTER_PAGES)
EMPTY.update(PARTS_COUNTER_EMPTY)
PAGES.update(HQ_PAGES)  # the group HQ's dashboard (its empty state: tests/unit/test_hq_pages.py)


def render(service: str, template: str, locale: str, **context) -> str:
    """A department page as `kit.web.page` renders it, without a running service."""
    nav = [
        (svc, translate(SERVICE_TITLES[svc], locale), f"http://127.0.0.1:{port}/") for svc, port in HTTP_PORTS.items()
    ]
    return (
        _environment(service, locale)
        .get_template(template)
        .render(
            service=service,
            title=translate(SERVICE_TITLES[service], locale),
            nav=nav,
            tz="Asia/Shanghai",
            locale=locale,
            locales=LOCALES,
            staff=ADMIN,
            csrf_token="t",
            staff_url="http://127.0.0.1:8000",
            request_path="/",
            flashes=[],
            **context,
        )
    )


def test_every_department_template_has_fake_data_here():
    """Every full page (fragments such as the workshop board are rendered inside one of these)."""
    templates = {
        (path.parent.parent.name, path.name)
        for path in (ROOT / "services").glob("*/templates/*.html")
        if "{% extends" in path.read_text()
    }
    assert templates == set(PAGES)


@pytest.mark.parametrize(("service", "template"), sorted(PAGES))
@pytest.mark.parametrize("rows", ["with rows", "empty"])
def test_a_page_in_english_has_no_chinese_and_in_chinese_it_has(service, template, rows):
    context = PAGES[service, template] | (
        {k: v for k, v in EMPTY.items() if k in PAGES[service, template]} if rows == "empty" else {}
    )
    english = LANGUAGE_SWITCH.sub("", render(service, template, "en", **context))
    found = HAN.search(english)
    assert found is None, f"untranslated text in English: …{english[max(0, found.start() - 80) : found.end() + 40]}…"
    assert 'lang="en"' in english
    chinese = render(service, template, "zh_CN", **context)
    main = chinese[chinese.index("<main>") :]  # the page itself, not only the navigation
    assert HAN.search(LANGUAGE_SWITCH.sub("", main))


def test_the_staff_admin_forms_carry_the_csrf_token():
    """The forms come from an imported macro, which sees the page's csrf_token only when imported with context."""
    html = render("staff", "index.html", "zh_CN", **PAGES["staff", "index.html"])
    assert set(re.findall(r'name="csrf_token" value="([^"]*)"', html)) == {"t"}
