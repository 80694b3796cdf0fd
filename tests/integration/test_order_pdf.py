"""R-RC-5/6: the printed 委托书 of a signed order - read back from the PDF - holds the plate, every line,
the totals, the price-list version and both signatures (the customer's image, the advisor's name)."""

import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from contracts import names
from kit.errors import DomainError
from kit.orders import OrderSigner
from services.reception.handlers import directory, orders
from services.reception.models import Order, OrderVersion
from services.reception.web import pdf
from tests.support.db import service_work, wire_event
from tests.support.factories import make_plate
from tests.support.reception_orders import store_signed_order

LINES = [
    ("labour", "LAB-OIL", "更换机油及机油滤清器", "0.5", "300.00", "150.00"),
    ("labour", "LAB-THROTTLE", "清洗节气门", "0.8", "300.00", "240.00"),
    ("part", "P-OIL-5W30", "机油 5W-30 4L", "1", "268.00", "268.00"),
    ("part", "P-FILTER-OIL", "机油滤清器", "2", "45.50", "91.00"),
]
ORDER = {
    "lines": [
        {"line_no": i, "kind": k, "code": c, "description": d, "quantity": q, "unit_price": u, "amount": a}
        for i, (k, c, d, q, u, a) in enumerate(LINES, start=1)
    ],
    "subtotal": "749.00",
    "vat_rate": "0.13",
    "vat": "97.37",
    "total": "846.37",
    "price_list_version": "2026.11-1",
    "promised_at": "2026-11-28T08:30:00+00:00",
    "signed_at": "2026-11-28T02:05:00+00:00",
}


def staff_event(staff_id, name):
    record = {"staff_id": staff_id, "name": name, "department": "service", "roles": ["service_advisor"], "active": True}
    return wire_event(names.STAFF_REGISTERED, record, correlation_id=f"staff:{staff_id}")


@pytest.fixture
def work(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.take_staff_registered")
    work.handle(staff_event("A001", "李明"), directory.take_staff_record)
    return work


@pytest.fixture
def signer(tmp_path):
    return OrderSigner(tmp_path / "keys")


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text, sum(len(page.images) for page in reader.pages)


def test_the_signed_order_prints_with_plate_every_line_totals_and_both_signatures(work, signer):
    plate = make_plate()
    body = store_signed_order(work, signer, vehicle={"vin": "LSVAU2180N2183294", "plate": plate}, **ORDER)
    document = work.read(orders.order_document, body["order_id"])
    data = pdf.render_pdf(document, dealer_name="上海大众示范店")
    assert data.startswith(b"%PDF")
    text, images = pdf_text(data)

    assert plate in text and "LSVAU2180N2183294" in text and body["customer"]["name"] in text
    assert "维修委托书" in text and "客户联" in text and "上海大众示范店" in text
    for _kind, code, description, quantity, unit_price, amount in LINES:
        row = next(line for line in text.splitlines() if code in line)
        assert description in row and quantity in row and unit_price in row and amount in row, row
    assert "749.00" in text and "97.37" in text and "846.37" in text and "13%" in text
    assert "2026.11-1" in text  # the price-list version the prices came from
    assert "2026-11-28 16:30" in text  # the promised time, in Shanghai time
    # both signatures: the customer's image is embedded; the advisor signs by name, staff number and time
    assert images == 1
    assert "服务顾问签字" in text and "客户签字" in text
    assert "李明" in text and "A001" in text and "2026-11-28 10:05" in text


def test_the_advisor_without_a_known_name_signs_with_the_staff_number(work, signer):
    body = store_signed_order(work, signer, advisor_id="A777")
    text, _ = pdf_text(pdf.render_pdf(work.read(orders.order_document, body["order_id"]), dealer_name="示范店"))
    assert "A777" in text


def test_an_unsigned_order_is_not_printed(work, signer):
    body = store_signed_order(work, signer)

    def back_to_draft(uow):  # as an order is before the customer signs: no signed version yet
        uow.session.get(Order, body["order_id"]).status = "draft"
        uow.session.execute(sa.delete(OrderVersion).where(OrderVersion.order_id == body["order_id"]))

    work.run(back_to_draft)
    with pytest.raises(DomainError) as refused:
        work.read(orders.order_document, body["order_id"])
    assert refused.value.code == "not_signed"


def test_a_version_that_does_not_exist_is_not_found_and_an_unknown_order_neither(work, signer):
    body = store_signed_order(work, signer)
    assert work.read(orders.order_document, body["order_id"], 1)["version"] == 1
    with pytest.raises(DomainError) as refused:
        work.read(orders.order_document, body["order_id"], 2)
    assert refused.value.field == "version" and refused.value.status == 404
    with pytest.raises(DomainError):
        work.read(orders.order_document, "no-such-order")


def test_without_the_signature_image_the_copy_says_so_instead_of_printing_another(work, signer):
    body = store_signed_order(work, signer)
    document = {**work.read(orders.order_document, body["order_id"]), "customer_signature_png": None}
    text, images = pdf_text(pdf.render_pdf(document, dealer_name="示范店"))
    assert images == 0 and "签名图像不可用" in text


def test_the_staff_name_follows_the_directory(work):
    work.handle(staff_event("A001", "李明亮"), directory.take_staff_record)
    assert work.read(directory.names_of, ["A001", "X"]) == {"A001": "李明亮"}


def test_the_write_up_and_an_amendment_print_when_the_version_has_them(work, signer):
    """R-RC-4/7 and R-WS-3: pay type, key tag, waits or leaves, the customer's words apart from the diagnosis;
    an amended version says which version it amends and how the customer consented, and lists declined lines."""
    body = store_signed_order(work, signer)
    document = work.read(orders.order_document, body["order_id"])
    document["order"] = {
        **document["order"],
        "version": 2,
        "pay_type": "warranty",
        "key_tag": "K-027",
        "customer_waits": False,
        "complaint": {
            "customer_words": "冷车启动抖动",
            "concern": "冷启动怠速不稳",
            "cause": "节气门积碳",
            "correction": "清洗节气门",
            "symptom_codes": [],
            "findings": [],
        },
        "amends": {"version": 1, "sha256": "b" * 64},
        "consent": {"method": "phone", "at": datetime(2026, 11, 28, 6, 0, tzinfo=UTC), "staff_id": "A001"},
        "declined_lines": [
            {"kind": "part", "code": "P-WIPER", "description": "雨刮片", "quantity": 1, "unit_price": 80, "amount": 80}
        ],
    }
    text, _ = pdf_text(pdf.render_pdf(document, dealer_name="示范店"))
    assert "保修(厂家付费)" in text and "K-027" in text and "客户离店" in text
    assert "冷车启动抖动" in text and "节气门积碳" in text and "清洗节气门" in text
    assert "变更第 1 版" in text and "通过电话" in text and "2026-11-28 14:00" in text
    assert "P-WIPER" in text and "雨刮片" in text and "客户已拒绝" in text


def test_a_first_version_without_write_up_fields_prints_without_those_rows(work, signer):
    body = store_signed_order(work, signer)
    text, _ = pdf_text(pdf.render_pdf(work.read(orders.order_document, body["order_id"]), dealer_name="示范店"))
    assert "付费方" not in text and "客户已拒绝" not in text and "变更第" not in text
