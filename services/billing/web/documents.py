"""The customer's documents as PDF (WeasyPrint, Chinese): the settlement list 机动车维修结算清单, the completion
certificate 竣工出厂合格证, the quality assurance card 质量保证卡, and the gate pass 门证 with a QR code (segno)."""

from __future__ import annotations

import io
import threading
from urllib.parse import quote

import segno
from werkzeug.wrappers import Response

from kit.concurrency import offload
from kit.config import Settings
from kit.errors import DomainError
from kit.web import _environment, api, refused_page

from ..handlers import documents

DOCUMENT_LOCALE = "zh_CN"  # the customer's copy is in Chinese whatever the staff member's screen shows
TITLES = {
    "settlement": "机动车维修结算清单",
    "certificate": "机动车维修竣工出厂合格证",
    "quality_card": "质量保证卡",
    "gate_pass": "门证",
    "receipt": "收款收据",
}


def _os_lock():
    """A lock between OS threads (eventlet's tpool), not green threads: one layout at a time through pango."""
    try:
        import eventlet.patcher

        return eventlet.patcher.original("threading").Lock()
    except ImportError:  # pragma: no cover - eventlet is a dependency
        return threading.Lock()


_RENDERING = _os_lock()


def qr_svg(text: str) -> str:
    """The gate pass token as an SVG QR code (data URI) the guard's scanner reads."""
    return segno.make(text, error="m").svg_data_uri(scale=4)


def render_html(doc: dict, *, dealer_name: str, tz: str) -> str:
    gate = doc.get("gate_pass")
    return (
        _environment("billing", DOCUMENT_LOCALE)
        .get_template("document_pdf.html")
        .render(
            doc=doc,
            title=TITLES[doc["kind"]],
            dealer_name=dealer_name,
            tz=tz,
            qr=qr_svg(gate["token"]) if gate and doc["kind"] == "gate_pass" else None,
        )
    )


def _write_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: loading pango and fonts takes a moment

    with _RENDERING:
        out = io.BytesIO()
        HTML(string=html).write_pdf(out)
        return out.getvalue()


def render_pdf(doc: dict, *, dealer_name: str, tz: str) -> bytes:
    return offload(_write_pdf, render_html(doc, dealer_name=dealer_name, tz=tz))


class DocumentEndpoints:
    """Mixed into services.billing.service.Service (which provides `db`)."""

    @api("GET", "/invoices/<invoice_id>/<kind>.pdf", action="billing.view")
    def document_pdf(self, request, invoice_id, kind):
        """kind: settlement | certificate | quality_card | gate_pass | receipt"""
        try:
            doc = self.db.read(documents.document, invoice_id, kind.replace("-", "_"))
        except DomainError as exc:
            return refused_page(self.name, request, exc)
        settings = Settings.load()
        data = render_pdf(
            doc, dealer_name=settings.raw.get("DEALER_NAME") or settings.dealer_id, tz=settings.dealer_timezone
        )
        filename = f"{TITLES[doc['kind']]}-{doc['vehicle']['plate']}.pdf"
        return Response(
            data,
            mimetype="application/pdf",
            headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}"},
        )
