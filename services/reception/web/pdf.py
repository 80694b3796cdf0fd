"""The printed work order 维修委托书 (R-RC-5/6): one signed version as a PDF, the customer's copy 客户联.

What is printed is the signed body itself (never the draft): dealership, car, customer, every line with
its price from the published list and the list's version, totals with VAT, the promised time, the
customer's signature image (checked against the hash inside the signed body) and the advisor's signature
(name, staff number, time), with the Ed25519 signature's key id so a reader can have it verified.

Rendering uses WeasyPrint (HTML + CSS to PDF, pango for Chinese text); the page is a Jinja template
beside the department pages (`templates/order_pdf.html`), always in Chinese since it is the customer's document.
What it shows is read by handlers.orders.order_document.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

from werkzeug.wrappers import Response

from kit.concurrency import offload
from kit.web import _environment

DOCUMENT_LOCALE = "zh_CN"  # the customer's copy is in Chinese whatever the advisor's screen shows
COPIES = ("customer",)  # R-RC-6: the customer gets a copy


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
