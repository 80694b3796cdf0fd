"""The printed work order 维修委托书 (R-RC-5/6): one signed version as a PDF, the customer's copy 客户联.

What is printed is the signed body itself (never the draft): dealership, car, customer, every line with
its price from the published list and the list's version, totals with VAT, the promised time, the
customer's signature image (checked against the hash inside the signed body) and the advisor's signature
(name, staff number, time), with the Ed25519 signature's key id so a reader can have it verified.

Rendering uses WeasyPrint (HTML + CSS to PDF, pango for Chinese text); the page is a Jinja template
beside the department pages (`templates/order_pdf.html`), always in Chinese since it is the customer's document.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

import sqlalchemy as sa
from werkzeug.wrappers import Response

from contracts.events import OrderSchema
from kit import signatures
from kit.concurrency import offload
from kit.errors import DomainError, NotFound
from kit.web import _environment

from .models import Order, OrderVersion, StaffName

DOCUMENT_LOCALE = "zh_CN"  # the customer's copy is in Chinese whatever the advisor's screen shows
COPIES = ("customer",)  # R-RC-6: the customer gets a copy


def order_document(session, order_id: str, version: int | None = None) -> dict:
    """Everything the printed order shows, from the signed version (latest unless `version` is given)."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("Work order not found", field="order_id")
    query = sa.select(OrderVersion).filter_by(order_id=order_id)
    if version is not None:
        query = query.filter_by(version=version)
    signed = session.scalars(query.order_by(OrderVersion.version.desc()).limit(1)).first()
    if signed is None:
        if version is not None:
            raise NotFound("This order has no such version", field="version")
        raise DomainError("The order is not signed yet; only a signed order is printed", code="not_signed")
    body = OrderSchema().load(signed.signed["order"])
    image = signatures.image(session, body["customer_signature_sha256"])
    if image is not None and hashlib.sha256(image).hexdigest() != body["customer_signature_sha256"]:
        image = None  # never print an image other than the one that was signed
    advisor = session.get(StaffName, signed.advisor_id)
    return {
        "order": body,
        "version": signed.version,
        "latest_version": order.signed_version,
        "signed_at": signed.signed_at,
        "advisor_id": signed.advisor_id,
        "advisor_name": advisor.name if advisor else "",
        "customer_signature_png": image,
        "key_id": signed.signed.get("key_id", ""),
        "signature": signed.signed.get("signature", ""),
    }


def render_html(document: dict, *, dealer_name: str, tz: str = "Asia/Shanghai", copy: str = "customer") -> str:
    image = document["customer_signature_png"]
    return (
        _environment("reception", DOCUMENT_LOCALE)
        .get_template("order_pdf.html")
        .render(
            doc=document,
            order=document["order"],
            dealer_name=dealer_name,
            tz=tz,
            copy=copy,
            signature_src=("data:image/png;base64," + base64.b64encode(image).decode()) if image else None,
        )
    )


def render_pdf(document: dict, *, dealer_name: str, tz: str = "Asia/Shanghai", copy: str = "customer") -> bytes:
    """The PDF bytes (rendered in an OS thread under eventlet: it takes a good part of a second)."""
    html = render_html(document, dealer_name=dealer_name, tz=tz, copy=copy)
    return offload(_write_pdf, html)


def _os_lock():
    """A lock between OS threads (eventlet's tpool), not green threads: one layout at a time through
    pango and fontconfig, which do not promise to be safe when used from several threads at once."""
    try:
        import eventlet.patcher

        return eventlet.patcher.original("threading").Lock()
    except ImportError:  # pragma: no cover - eventlet is a dependency
        import threading

        return threading.Lock()


_RENDERING = _os_lock()


def _write_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: loading pango and fonts takes a moment

    with _RENDERING:
        return HTML(string=html).write_pdf()


def response(data: bytes, filename: str) -> Response:
    """Shown in the browser (print from there); the file name keeps the Chinese plate."""
    return Response(
        data, mimetype="application/pdf", headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}"}
    )
