"""The invoice from what arrived (R-BL-1): signed quote and amendments, parts issued less returned, the work done;
re-audited on every input and every correction."""

from __future__ import annotations

import dataclasses
import json
import uuid
from decimal import Decimal
from types import SimpleNamespace

from contracts import Envelope, names
from contracts.repair_order import RepairOrder
from kit import signing
from kit.errors import NotFound, PermanentError
from kit.paging import Page
from kit.web import JSONEncoder

from .. import domain, models
from ..domain import pay_types
from ..models import Invoice, LabourOperation, PartPrice, PartsReturn, PriceList
from . import rows
from .orders import loaded_order, remember_loaded


def publish_price_list(uow, price_list: dict) -> bool:
    """Publish a price list version (payload of `price_list_published`); a version is published once."""
    session = uow.session
    version = price_list["version"]
    if session.get(PriceList, version) is not None:
        return False
    session.add(
        PriceList(
            version=version,
            effective_from=price_list["effective_from"],
            labour_rate=price_list["labour_rate"],
            vat_rate=price_list["vat_rate"],
            published_at=uow.clock(),
        )
    )
    session.flush()
    session.add_all(LabourOperation(price_list_version=version, **op) for op in price_list["labour_operations"])
    session.add_all(PartPrice(price_list_version=version, **p) for p in price_list["parts"])
    uow.emit(names.PRICE_LIST_PUBLISHED, price_list, correlation_id=f"price-list:{version}")
    return True


def record_signed_order(uow, event: Envelope, verify) -> None:
    """order_signed -> R-BL-1: keep the quote the customer signed; an order that does not verify is refused
    (dead letter)."""
    signed = event.raw_payload
    keep_signed_version(uow, verify(signed), signed)


def record_amended_order(uow, event: Envelope, verify) -> None:
    """order_amended -> R-BL-1 / R-WS-3: keep each signed amendment; the bill agrees with the latest signed version.

    A tampered or unsigned version, one whose envelope disagrees with its signed body, or one that does not
    follow the version billing holds, is refused (dead letter)."""
    amended = event.payload
    signed = event.raw_payload["signed_order"]
    order = verify(signed)
    RepairOrder.from_body(order).check_amends(amended)  # R-WS-3
    amends = order["amends"]

    def follows(versions) -> None:  # the version it amends, as billing holds it (read with the others)
        previous = next((v for v in versions if v.version == amends["version"]), None)
        if previous is not None and _sha256(previous.signed["order"]) != amends["sha256"]:
            raise PermanentError(
                f"order {order['order_id']} v{order['version']} amends a version {amends['version']} "
                "other than the one billing holds"
            )

    keep_signed_version(uow, order, signed, follows)


def keep_signed_version(uow, order: dict, signed: dict, follows=None) -> None:
    """Keep one signed version of an order once and rebuild its bill (order_signed and order_amended alike).

    `order` is the verified, loaded body; `signed` is {"order", "signature", "key_id"} as it arrived, kept as is.
    `follows(versions)`: an amendment's check of the versions billing holds (raises), before anything is written.
    """
    session, order_id = uow.session, order["order_id"]
    remember_loaded(signed["order"], order)
    quote = {
        "order_id": order_id,
        "version": order["version"],
        "visit_id": order["visit_id"],
        "signed": signed,
        "received_at": uow.clock(),
    }
    # The order's first event (mostly): its bill inserted unless it has one, waiting as `_rebuild` would make it from
    # this version alone (the versions before it, if it is an amendment, and the work), without reading it first.
    waiting = ([] if order["version"] == 1 else ["signed_order"]) + ["vehicle_ready"]
    first = follows is None  # an amendment mostly finds its order's bill: read first
    if first and _insert_waiting(uow, order_id, order["visit_id"], SimpleNamespace(**quote), waiting, once=True):
        session.connection().execute(rows.INSERT_QUOTE, quote)
        return
    invoice = _locked_invoice(session, order_id)  # it has a bill (or a database without ON CONFLICT)
    versions = rows.quotes(session, order_id) if invoice is not None else []
    if follows is not None:
        follows(versions)
    if all(v.version != order["version"] for v in versions):
        session.connection().execute(rows.INSERT_QUOTE, quote)  # read back by no one here: the bill takes it as is
        versions = sorted([*versions, SimpleNamespace(**quote)], key=lambda v: v.version)
    _rebuild(uow, invoice, order_id, order["visit_id"], {"versions": versions})


def _sha256(body: dict) -> str:
    return signing.sha256_hex(signing.canonical(body))


def _lines(payload: dict) -> list[dict]:
    return [{k: line[k] for k in ("line_no", "part_no", "quantity")} for line in payload["lines"]]


def _quantities(lines: list[dict]) -> list[dict]:
    return [{**line, "quantity": Decimal(line["quantity"])} for line in lines]


def record_parts_issued(uow, event: Envelope) -> None:
    payload = event.raw_payload
    touched = rows.touched_invoice(uow.session, payload["order_id"], uow.clock())  # locked, its time set if it waits
    lines = _lines(payload)
    issue = {"request_id": payload["request_id"], "order_id": payload["order_id"], "lines": lines}
    uow.session.connection().execute(rows.INSERT_ISSUE, issue)
    if _waits_for_the_work(touched):
        return
    invoice = touched and _locked_invoice(uow.session, payload["order_id"])  # the bill, rebuilt
    _rebuild(uow, invoice, payload["order_id"], event.correlation_id, {"issued": _quantities(lines)})


def _waits_for_the_work(invoice: Invoice | None) -> bool:
    """The bill waits for the work to be reported done (to its latest signed version): parts issued or returned
    change nothing of it then but its time. Its waiting list is what the versions and the work said when they last
    changed: each change of them rebuilt it, under its lock (a rebuild would read them again to say the same)."""
    return invoice is not None and invoice.status == "waiting" and "vehicle_ready" in (invoice.waiting_for or ())


def record_vehicle_ready(uow, event: Envelope) -> None:
    payload = event.raw_payload
    invoice = _locked_invoice(uow.session, payload["order_id"])
    given = {}
    if invoice is not None:  # what arrived before: the versions, the work (if reported before) and the parts moved
        versions, done, given["moved"] = rows.versions_work_and_moved(uow.session, payload["order_id"])
    else:
        versions, done = [], None
    if done is None:
        done = SimpleNamespace(
            order_id=payload["order_id"],
            order_version=payload["order_version"],
            jobs=payload["jobs_done"],
            parts_used=payload["parts_used"],
            inspector_id=payload["inspector_id"],
            ready_at=event.payload["ready_at"],
            findings=_findings(payload),
        )
        uow.session.connection().execute(rows.INSERT_WORK, vars(done))
    elif payload["order_version"] > done.order_version:
        # R-WS-3: the order was amended after a quality check; the work is reported again to the new version
        done.order_version, done.jobs, done.parts_used = (
            payload["order_version"],
            payload["jobs_done"],
            payload["parts_used"],
        )
        done.inspector_id, done.ready_at = payload["inspector_id"], event.payload["ready_at"]
        done.findings = _findings(payload)
        _update_work(uow, done, "order_version", "jobs", "parts_used", "inspector_id", "ready_at", "findings")
    elif payload["order_version"] == done.order_version and (payload.get("deferred_work") or payload.get("wear")):
        done.findings = _findings(payload)  # the QC findings as last reported (R-QC-3)
        _update_work(uow, done, "findings")
    _rebuild(uow, invoice, payload["order_id"], event.correlation_id, {**given, "versions": versions, "work": done})


def _update_work(uow, done, *names: str) -> None:
    """The work done (a record of its columns) written back: its columns `names`, one UPDATE."""
    values = {name: getattr(done, name) for name in names}
    uow.session.connection().execute(rows.UPDATE_WORK, {"b_order_id": done.order_id, **values})


def _findings(payload: dict) -> dict:
    """vehicle_ready's additive QC findings (R-QC-3), as the delivery checklist shows them."""
    return {
        "deferred_work": payload.get("deferred_work") or [],
        "wear": payload.get("wear") or [],
        "finished_bay": payload.get("finished_bay"),
        "washed": payload.get("washed"),
    }


def record_parts_returned(uow, event: Envelope) -> None:
    """parts_returned (R-BL-3): unused parts back to stock; the bill is rebuilt with the parts issued less these."""
    payload = event.raw_payload
    touched = rows.touched_invoice(uow.session, payload["order_id"], uow.clock())  # locked, its time set if it waits
    given = {}
    if touched is None or uow.session.get(PartsReturn, payload["return_id"]) is None:
        lines = _lines(payload)
        returned = {"return_id": payload["return_id"], "order_id": payload["order_id"], "lines": lines}
        uow.session.connection().execute(rows.INSERT_RETURN, returned)
        given = {"returned": _quantities(lines)}
    if _waits_for_the_work(touched):
        return
    invoice = touched and _locked_invoice(uow.session, payload["order_id"])  # the bill, rebuilt
    _rebuild(uow, invoice, payload["order_id"], event.correlation_id, given)


def rebuild_invoice(uow, order_id: str, visit_id: str, invoice=None, changed: tuple[str, ...] = ()):
    """Recompute the draft bill from whatever has arrived; events may come in any order. `invoice`: the bill as the
    caller locked it (`rows.locked_invoice`), its columns `changed` by the caller written with the bill's."""
    invoice = invoice if invoice is not None else rows.locked_invoice(uow.session, order_id=order_id)
    return _rebuild(uow, invoice, order_id, visit_id, changed=changed)


def _locked_invoice(session, order_id: str):
    # Locked first: the events that build a bill (order_signed, parts_issued, vehicle_ready) may be handled at the
    # same moment; the second waits here, then reads what the first committed instead of overwriting it with a
    # bill built without it (seen in `make chaos`: invoices left waiting for parts or work they had).
    return rows.locked_for_rebuild(session, order_id)  # what the rebuild reads of it: written back by one UPDATE


def _rebuild(uow, invoice, order_id: str, visit_id: str, given: dict | None = None, changed: tuple[str, ...] = ()):
    """The bill of `invoice` (a record of its columns, or of those it reads: rows.LOCKED_FOR_REBUILD; as locked by the
    caller) from what has arrived, written by one UPDATE of the columns it sets and those `changed` by the caller.
    `given`: what the caller holds already ("versions", "work", "moved": the parts issued and returned as
    `models.parts_moved` reads them) or what this event brought ("issued", "returned"), instead of reading it.

    No invoice: no event of this order was handled before this one (each creates the bill; a second one creating it
    at the same moment fails on its unique order_id and is handled again), so nothing arrived but what it brought.
    """
    session = uow.session
    if invoice is not None and invoice.status == "paid":
        return invoice
    if invoice is None:
        given = {"versions": [], "work": None, "issued": [], "returned": [], **(given or {})}
    else:
        given = {k: v for k, v in (given or {}).items() if k in ("versions", "work", "moved")}
    work = given["work"] if "work" in given else rows.work_done(session, order_id)
    versions = given["versions"] if "versions" in given else rows.quotes(session, order_id)
    quote = versions[-1] if versions else None  # R-BL-1: the latest signed version (quote and amendments)
    issued = []
    waiting = []
    if quote is None or [v.version for v in versions] != list(range(1, quote.version + 1)):
        waiting.append("signed_order")  # a version is still on its way (order_signed / order_amended)
    elif work is not None and work.order_version > quote.version:
        waiting.append("signed_order")
    if work is None or (quote is not None and work.order_version < quote.version):
        waiting.append("vehicle_ready")  # the work to the amended version is not reported done yet
    else:
        if "issued" not in given:  # the returns with them: the bill needs them too once the parts are all issued
            moved = given["moved"] if "moved" in given else models.parts_moved(session, order_id)
            given["issued"], given["returned"] = moved
        issued = given["issued"]
        used: dict[int, Decimal] = {}
        for part in work.parts_used:
            used[part["line_no"]] = used.get(part["line_no"], Decimal("0")) + Decimal(part["quantity"])
        got: dict[int, Decimal] = {}
        for part in issued:
            got[part["line_no"]] = got.get(part["line_no"], Decimal("0")) + part["quantity"]
        if any(got.get(line_no, Decimal("0")) < qty for line_no, qty in used.items()):
            waiting.append("parts_issued")
    if not waiting:  # read before the invoice changes: one UPDATE of it (or its INSERT) when the event commits
        body = loaded_order(quote.signed["order"])
        book = models.price_book(session, body["price_list_version"])
        returned = given["returned"]
    if invoice is None:  # the first event of the order: nothing else arrived, so it waits for the others
        return _insert_waiting(uow, order_id, visit_id, quote, waiting)
    written = ["waiting_for", "updated_at", "status", *changed]
    invoice.waiting_for = waiting
    invoice.updated_at = uow.clock()
    if quote is not None:
        order = quote.signed["order"]  # checked against its contract when it arrived (kit.orders)
        invoice.order_version = quote.version
        invoice.advisor_id = order["advisor_id"]
        invoice.plate = order["vehicle"]["plate"]
        invoice.customer_name = order["customer"]["name"]
        written += ["order_version", "advisor_id", "plate", "customer_name"]
    if waiting:
        invoice.status = "waiting"
        rows.update_invoice(session, invoice, *written)
        return invoice
    jobs = [{**job, "hours": Decimal(job["hours"])} for job in work.jobs]
    bodies = [v.signed["order"] for v in versions]
    declined = [line for b in bodies for line in b.get("declined_lines", [])]
    waived = set(invoice.waived or ())
    draft = domain.build_invoice(body, book, jobs, issued, declined, returned, waived)
    draft.problems = domain.check_chain(bodies, _sha256) + draft.problems
    was_blocked = invoice.status == "blocked" and invoice.problems == draft.problems
    before = invoice.status
    invoice.lines = _jsonable(draft.lines)
    invoice.problems = draft.problems
    invoice.variances = _jsonable(draft.variances)
    invoice.pay_type = body.get("pay_type") or "customer"
    bills = pay_types.split_by_payer(
        draft.lines, invoice.pay_types or {}, invoice.pay_type, body["vat_rate"], invoice.discount or Decimal("0")
    )
    invoice.bills = _jsonable({payer: {k: v for k, v in bill.items() if k != "lines"} for payer, bill in bills.items()})
    invoice.subtotal = sum((bill["subtotal"] for bill in bills.values()), Decimal("0.00"))
    invoice.vat = sum((bill["vat"] for bill in bills.values()), Decimal("0.00"))
    invoice.total = sum((bill["total"] for bill in bills.values()), Decimal("0.00"))
    invoice.status = "ready" if draft.agrees else "blocked"
    written += ["lines", "problems", "variances", "pay_type", "bills", "subtotal", "vat", "total"]
    rows.update_invoice(session, invoice, *written)
    if before == "blocked" and invoice.status == "ready":
        # the audit trail: the correction (adjustment or consented amendment) put it right
        rows.insert_correction(
            uow, invoice.invoice_id, "re_audit", "", {"status": "ready", "order_version": invoice.order_version}
        )
    if invoice.status == "blocked" and not was_blocked:
        uow.emit(
            names.INVOICE_BLOCKED,
            {"invoice_id": invoice.invoice_id, "order_id": order_id, "reasons": draft.problems},
            correlation_id=invoice.visit_id,
        )
    return invoice


def _insert_waiting(uow, order_id: str, visit_id: str, quote, waiting: list[str], once: bool = False):
    """The order's bill as `_rebuild` makes it while it waits, written by one Core INSERT (the columns not given
    take their defaults, as the entity's would). `once`: unless the order has a bill (then None)."""
    values = {
        "invoice_id": str(uuid.uuid4()),
        "order_id": order_id,
        "visit_id": visit_id,
        "status": "waiting",
        "waiting_for": waiting,
        "updated_at": uow.clock(),
    }
    if quote is not None:
        order = quote.signed["order"]  # checked against its contract when it arrived (kit.orders)
        values.update(
            order_version=quote.version,
            advisor_id=order["advisor_id"],
            plate=order["vehicle"]["plate"],
            customer_name=order["customer"]["name"],
        )
    if once:
        return SimpleNamespace(**values) if rows.insert_invoice_once(uow.session, values) else None
    uow.session.connection().execute(rows.INSERT_INVOICE, values)
    return SimpleNamespace(**values)


def invoice_list(session, page: int = 1, per_page: int = 50, q: str = "") -> Page:
    """One page of invoices as views, newest first; searchable by plate, customer name or order number."""
    result = models.invoices(session, page, per_page, q)
    return dataclasses.replace(result, items=[invoice_view(i) for i in result.items])


def invoice_of_order(session, order_id: str) -> dict:
    invoice = models.invoice_row(session, order_id)  # its columns, not an entity: read, never changed
    if invoice is None:
        raise NotFound("This order has no invoice yet")
    return invoice_view(invoice)


def published_price_list(session) -> dict | None:
    """The price list in force, as published (labour operations and parts), or None before the first one."""
    current = models.current_price_list(session)
    return current and models.read_price_book(session, current.version).__dict__


def invoice_view(invoice) -> dict:
    """An invoice (the entity, or a row of its columns) as its JSON view."""
    return {
        "invoice_id": invoice.invoice_id,
        "order_id": invoice.order_id,
        "visit_id": invoice.visit_id,
        "status": invoice.status,
        "waiting_for": invoice.waiting_for,
        "problems": invoice.problems,
        "lines": invoice.lines,
        "subtotal": invoice.subtotal,
        "vat": invoice.vat,
        "total": invoice.total,
        "advisor_id": invoice.advisor_id,
        "plate": invoice.plate,
        "customer_name": invoice.customer_name,
        "paid_at": invoice.paid_at,
        "paid_amount": invoice.paid_amount,
        "payment_method": invoice.payment_method,
        "cashier_id": invoice.cashier_id,
        "gate_pass_no": invoice.gate_pass_no,
        "order_version": invoice.order_version,
        "updated_at": invoice.updated_at,
        "variances": invoice.variances or [],
        "waived": invoice.waived or [],
        "discount": invoice.discount or Decimal("0.00"),
        "pay_type": invoice.pay_type or "customer",
        "pay_types": invoice.pay_types or {},
        "bills": invoice.bills or {},
        "customer_total": Decimal((invoice.bills or {}).get("customer", {}).get("total", "0.00")),
    }


def _jsonable(lines: list[dict]) -> list[dict]:
    return json.loads(json.dumps(lines, cls=JSONEncoder))
