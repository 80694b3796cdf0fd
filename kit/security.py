"""What every HTTP answer of every service is guarded by, before and after its route runs (kit.web.Api):

- a request size limit (`MAX_REQUEST_BYTES`, default 1 MiB): larger bodies answer 413, in the staff
  member's language, before they are read;
- JSON bodies: valid UTF-8 JSON, nested at most `MAX_JSON_DEPTH` (20) deep (a 100,000-deep body answers
  400, not a RecursionError), no NUL character in any key or string; form fields and query strings without
  NUL either;
- values no command can hold (a decimal overflow, a recursion) answer 400, never 500;
- every answer carries the security headers: a Content-Security-Policy without inline script and with
  frame-ancestors 'none', nosniff, a Referrer-Policy, and its cookies HttpOnly and SameSite=Lax (Secure
  over HTTPS or with `COOKIE_SECURE=1`).
"""

from __future__ import annotations

import json
import os
from decimal import DecimalException
from typing import Any
from urllib.parse import urlencode, urlsplit

from werkzeug.exceptions import RequestEntityTooLarge

from .errors import DomainError
from .i18n import N_

DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 20
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # htmx's indicator styles; no script runs from an attribute
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class TooLarge(DomainError):
    status = 413

    def __init__(self, limit: int):
        super().__init__(N_("The request is too large (at most {limit} KB)"), code="too_large", limit=limit // 1024)


class BadRequest(DomainError):
    status = 400


def max_request_bytes() -> int:
    return int(os.environ.get("MAX_REQUEST_BYTES") or DEFAULT_MAX_REQUEST_BYTES)


def guard_request(request) -> None:
    """Refuse (raise) a request too large to read, or with a NUL in a query or form field."""
    limit = max_request_bytes()
    request.max_content_length = limit  # a body without Content-Length is cut at the limit as it is read
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(limit)
    _refuse_nul(request.args.items(multi=True))
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.mimetype in FORM_TYPES:
        try:
            _refuse_nul(request.form.items(multi=True))
        except RequestEntityTooLarge:
            raise TooLarge(limit) from None


def _refuse_nul(items) -> None:
    for name, value in items:
        if "\x00" in name or "\x00" in value:
            raise _nul(name.replace("\x00", ""))


def _nul(field: str) -> BadRequest:
    return BadRequest(N_("Contains a character that is not allowed (NUL)"), field=field or None, code="invalid")


def load_json(request) -> Any:
    """The request body's JSON value ({} when empty), refused (DomainError) when it is too large, not JSON,
    nested too deeply or carries a NUL character."""
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise TooLarge(max_request_bytes()) from None
    try:
        value = json.loads(raw.decode("utf-8") or "{}")
    except RecursionError:
        raise _too_deep() from None
    except ValueError:  # JSONDecodeError, bad UTF-8, an integer of more than 4300 digits
        raise BadRequest(N_("The request body is not valid JSON"), code="bad_json") from None
    check_json(value)
    return value


def check_json(value: Any, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Depth and NUL check of a decoded JSON value, without recursion."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, dict | list) and depth > max_depth:
            raise _too_deep()
        if isinstance(item, str) and "\x00" in item:
            raise _nul(path)
        if isinstance(item, dict):
            for key, child in item.items():
                if "\x00" in key:
                    raise _nul(path)
                stack.append((child, depth + 1, f"{path}.{key}" if path else key))
        elif isinstance(item, list):
            stack.extend((child, depth + 1, f"{path}[{i}]") for i, child in enumerate(item))


def _too_deep() -> BadRequest:
    return BadRequest(
        N_("The request body is nested too deeply (at most {depth} levels)"), code="bad_json", depth=MAX_JSON_DEPTH
    )


def as_refusal(exc: Exception) -> Exception:
    """A value no command can hold, found while handling it (an overflowing decimal, a recursion): a 400
    refusal instead of a 500. Anything else unchanged."""
    if isinstance(exc, DecimalException | OverflowError | RecursionError):
        return BadRequest(N_("A value is out of the allowed range"), code="invalid")
    if isinstance(exc, RequestEntityTooLarge):
        return TooLarge(max_request_bytes())
    return exc


def harden(request, response):
    """The security headers on every answer, and its cookies' flags."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    cookies = response.headers.getlist("Set-Cookie")
    if cookies:
        secure = _secure(request)
        response.headers.setlist("Set-Cookie", [_flagged(c, secure) for c in cookies])
    return response


def _secure(request) -> bool:
    forwarded = request.headers.get("X-Forwarded-Proto", "") if request is not None else ""
    return (
        os.environ.get("COOKIE_SECURE") == "1"
        or (request is not None and request.scheme == "https")
        or (forwarded == "https")
    )


def _flagged(header: str, secure: bool) -> str:
    lower = header.lower()
    extra = []
    if "httponly" not in lower:
        extra.append("HttpOnly")
    if "samesite" not in lower:
        extra.append("SameSite=Lax")
    if secure and "; secure" not in lower:
        extra.append("Secure")
    return "; ".join([header, *extra]) if extra else header


# --- redirects after sign-in and the language switch: only this line's own pages -----------------------------


def local_redirect(target: str | None, request=None, ports=()) -> str:
    """`target` if it stays on this dealership's line, else "/".

    A path of this service ("/visits/1?x=2"); or, with `ports` (the line's HTTP ports), an http(s) URL to one
    of the line's services on the host the request came to (sign-in sends staff back to the page they asked
    for). Refused: other hosts, "//host", "/\\host", "https:host" (browsers read it as https://host), control
    characters and backslashes anywhere (browsers drop or turn them into slashes)."""
    if not target or any(ch in target for ch in "\\") or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return "/"
    parts = urlsplit(target)
    if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
        return target
    if request is None or parts.scheme not in ("http", "https") or not target.lower().startswith(parts.scheme + "://"):
        return "/"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "/"
    own_host = request.host.rsplit(":", 1)[0] if ":" in request.host else request.host
    if parts.hostname == own_host.lower() and not parts.username and not parts.password and port in set(ports):
        return target
    return "/"


def sign_in_url(request, staff_port: int) -> str:
    """The staff service's sign-in page on the host the request came to, sent back afterwards to the page asked
    for: `next` carries that page's whole URL, query included, as one URL-encoded value (its own `&`, `#` or
    `?next=` cannot add or change parameters of the sign-in's), and the sign-in checks it with `local_redirect`."""
    host = request.host.rsplit(":", 1)[0] if ":" in request.host.lstrip("[") else request.host
    return f"http://{host}:{staff_port}/login?{urlencode({'next': request.url})}"
