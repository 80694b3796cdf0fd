"""HTTP for every service: signed-in staff only, fenced by role; JSON answers, errors staff can act on
(in their language, field named), and department pages.

    @api("POST", "/api/appointments", action="booking.book")
    def book(self, request):
        return 201, self.db.run(handlers.book_appointment, read_json(request, BookAppointment()),
                                actor_id=request.staff.staff_id)
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from functools import cache, partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from eventlet.event import Event
from jinja2 import Environment, FileSystemLoader, select_autoescape
from marshmallow import Schema, ValidationError
from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import HTTPException
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from . import metrics, security
from .auth import SESSION_COOKIE, Sessions, load_or_create_secret, service_permissions
from .bounds import field_errors  # noqa: F401 - kit.web.field_errors, as services and tests import it
from .config import SERVICE_TITLES, Settings
from .errors import DomainError, NotFound
from .i18n import DEFAULT_LOCALE, LOCALES, N_, locale_of, translate, translations
from .sessions import revocations_of

log = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_schema_instance = cache(lambda schema_class: schema_class())  # read_json's schemas, one instance a class
# marshmallow's own messages are message ids of the catalog: see kit.bounds


def form_errors(exc: ValidationError | DomainError, locale: str, rename: dict[str, str] | None = None) -> dict:
    """A refused form's errors by field, in the staff member's language, to show beside each field.

    `rename` maps the command's field names to the form's (e.g. "customer.mobile" -> "mobile").
    """
    if isinstance(exc, ValidationError):
        errors = field_errors(exc.messages, locale)
    else:
        errors = {exc.field or "_": [exc.message_in(locale)]}
    return {(rename or {}).get(name, name): messages for name, messages in errors.items()}


class JSONEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return str(o)
        if isinstance(o, datetime | date | time_of_day):  # a shift's start and end are times of day
            return o.isoformat()
        if isinstance(o, uuid.UUID):
            return str(o)
        return super().default(o)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, cls=JSONEncoder, ensure_ascii=False), status=status, mimetype="application/json")


def read_json(request, schema: Schema | type[Schema] | None = None) -> dict[str, Any]:
    """The request body as a dict, loaded through `schema` when given (raises ValidationError); a schema class is
    instantiated once and kept (building a schema copies each of its fields)."""
    data = security.load_json(request)  # size, depth and NUL checked (kit.security)
    if not isinstance(data, dict):
        raise DomainError(N_("The request body must be a JSON object"), code="bad_json")
    schema = _schema_instance(schema) if isinstance(schema, type) else schema
    return schema.load(data) if schema is not None else data


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


class Api(HttpRequestHandler):
    """nameko's HTTP entrypoint: signed-in staff only, fenced by role, answering JSON or a page.

    Every route names the action it performs or says it is public (health, sign-in); the action is looked up
    in the service's own table (services/<svc>/permissions.py, the class's `permissions`) and the kit's:
    - no valid session -> 401; a role without the action -> 403; a cookie-authenticated form post
      without the session's CSRF token -> 403. Pages get a page in the staff member's language, API calls JSON.
    - the worker sees `request.staff` (kit.auth.StaffMember), the acting staff member of every change,
      and `request.locale`.
    Errors a person can act on:
    - DomainError -> its status (422, 404), {"error": {"code", "message", "field"}}; for a page request (not
      under /api/, not asking for JSON) the same status with the message on a page (refused.html)
    - ValidationError -> 400, {"error": {"code": "invalid", "message", "fields": {name: [..]}}}
    - anything else -> 500 with a generic message (details in the log, not the answer)
    """

    def __init__(self, method, url, *, action: str | None = None, public: bool = False, **kwargs):
        if not public and action is None:
            raise ValueError(f"{method} {url}: name the action it performs, or mark it public")
        self.action = action
        self.public = public
        kwargs.setdefault("expected_exceptions", (DomainError, ValidationError))  # logged as warnings
        super().__init__(method, url, **kwargs)

    def setup(self):
        super().setup()
        settings = Settings.load(self.container.config)
        secret = load_or_create_secret(settings.signing_key_dir)
        self.sessions = Sessions(secret, settings.session_hours, revocations_of(self.container))  # kit.sessions
        # the actions of the service handling the request (services/<svc>/permissions.py) and the kit's
        self.permissions = service_permissions(getattr(self.container.service_cls, "permissions", {}))
        if not self.public and self.action not in self.permissions:
            raise KeyError(f"{self.method} {self.url}: unknown action {self.action!r}: add it to permissions.py")
        self._shapes_that_fit: set[tuple[int, tuple[str, ...]]] = set()

    def check_signature(self, args, kwargs):
        """nameko's check that the handler takes these arguments, once a shape of call (how many, which names):
        binding the handler's signature was a tenth of what the kit did with a request before its handler."""
        shape = (len(args), tuple(sorted(kwargs)))
        if shape not in self._shapes_that_fit:
            super().check_signature(args, kwargs)
            self._shapes_that_fit.add(shape)

    def handle_request(self, request):
        started = time.perf_counter()
        response = security.harden(request, self._answer(request))
        metrics.observe_request(self.container.service_name, request.method, self.url, response.status_code, started)
        return response

    def _answer(self, request):
        request.shallow = False
        request.staff = None
        request.csrf_token = ""
        request.sessions = self.sessions
        request.locale = locale_of(request)
        try:
            security.guard_request(request)
            refusal = self.check_access(request)
            if refusal is not None:
                return refusal
            context_data = self.server.context_data_from_headers(request)
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            done = Event()
            self.container.spawn_worker(
                self, args, kwargs, context_data=context_data, handle_result=partial(self.handle_result, done)
            )
            return self.response_from_result(done.wait())
        except Exception as exc:  # noqa: BLE001 - every failure gets an answer
            return self.error_response(request, security.as_refusal(exc))

    def check_access(self, request) -> Response | None:
        header = request.headers.get("Authorization", "")
        via_cookie = not header.startswith("Bearer ")
        token = request.cookies.get(SESSION_COOKIE) if via_cookie else header[len("Bearer ") :].strip()
        staff = self.sessions.verify(token)
        if staff is not None:
            staff = request.staff = staff.within(self.permissions)
            request.csrf_token = self.sessions.csrf_token(token)
        if self.public:
            return None
        if staff is None:
            return refusal_response(request, 401, "unauthenticated", N_("Please sign in first"))
        if not staff.may(self.action):
            return refusal_response(request, 403, "forbidden", N_("Your role may not do this"))
        if via_cookie and request.method not in SAFE_METHODS:
            presented = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
            if not self.sessions.csrf_ok(token, presented):
                return refusal_response(
                    request, 403, "csrf", N_("This form has expired or came from elsewhere; reload the page")
                )
        return None

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status = 200
        if isinstance(result, tuple):
            status, result = result
        return json_response(result, status)

    def error_response(self, request, exc: Exception) -> Response:
        locale = getattr(request, "locale", DEFAULT_LOCALE)
        if isinstance(exc, DomainError) and not wants_json(request):
            return refused_page(self.container.service_name, request, exc)
        if isinstance(exc, DomainError):
            error = {"code": exc.code, "message": exc.message_in(locale), "field": exc.field, **exc.details}
            return json_response({"error": error}, exc.status)
        if isinstance(exc, ValidationError):
            fields = field_errors(exc.messages, locale)
            name, messages = next(iter(fields.items()))
            return json_response(
                {"error": {"code": "invalid", "message": f"{name}: {messages[0]}", "field": name, "fields": fields}},
                400,
            )
        if isinstance(exc, HTTPException):
            return json_response({"error": {"code": "http", "message": exc.description}}, exc.code or 400)
        log.error("unhandled error in %s %s", self.method, self.url, exc_info=exc)
        return json_response(
            {"error": {"code": "internal", "message": translate(N_("System error, please try again"), locale)}}, 500
        )


api = Api.decorator


def refusal_response(request, status: int, code: str, msgid: str) -> Response:
    message = translate(msgid, getattr(request, "locale", DEFAULT_LOCALE))
    if wants_json(request):
        return json_response({"error": {"code": code, "message": message}}, status)
    staff_port = Settings.load().ports["staff"]
    login = security.sign_in_url(request, staff_port)
    title = N_("Please sign in first") if status == 401 else N_("Not allowed")
    return page(None, title, "refused.html", request, status=status, code=status, message=message, login_url=login)


# --- pages -----------------------------------------------------------------------------------

KIT_TEMPLATES = Path(__file__).parent / "templates"
SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"


def local_time(value: datetime | None, tz: str = "Asia/Shanghai", fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(ZoneInfo(tz)).strftime(fmt)


def plain_quantity(value: Decimal | int | str | None) -> str:
    """A quantity in plain notation: 1000, not 1E+3 (Quantity columns come back normalised)."""
    return "" if value is None else format(Decimal(str(value)), "f")


@cache
def _environment(service: str | None, locale: str) -> Environment:
    folders = [str(KIT_TEMPLATES)]
    if service:
        folders.insert(0, str(SERVICES_DIR / service / "templates"))
    env = Environment(
        loader=FileSystemLoader(folders), autoescape=select_autoescape(["html"]), extensions=["jinja2.ext.i18n"]
    )
    env.install_gettext_translations(translations(locale), newstyle=True)
    env.filters["local"] = local_time
    env.filters["quantity"] = plain_quantity
    return env


def fragment(service: str, template: str, request, **context) -> Response:
    """A piece of a page (no layout), for boards that refresh themselves with htmx."""
    settings = Settings.load()
    locale = getattr(request, "locale", DEFAULT_LOCALE)
    html = (
        _environment(service, locale)
        .get_template(template)
        .render(tz=settings.dealer_timezone, locale=locale, staff=getattr(request, "staff", None), **context)
    )
    return Response(html, mimetype="text/html")


FLASH_COOKIE = "as_flash"


def flash(response: Response, kind: str, msgid: str, **params) -> Response:
    """Show a one-off message ("ok" or "error") on the next page the staff member sees."""
    response.set_cookie(
        FLASH_COOKIE,
        json.dumps([kind, msgid, params], ensure_ascii=True),
        max_age=60,
        samesite="Lax",
        path="/",
        httponly=True,
    )
    return response


def _flashes(request, locale: str) -> list[tuple[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE) if request is not None else None
    if not raw:
        return []
    try:
        kind, msgid, params = json.loads(raw)
        return [(kind, translate(msgid, locale, **params))]
    except (ValueError, TypeError, KeyError):
        return []


def page(service: str | None, title: str, template: str, request=None, status: int = 200, **context) -> Response:
    """Render a department page in the staff member's language; `title` is a message id.

    `template` is a file under the service's templates/ folder or the kit's templates/.
    """
    settings = Settings.load()
    locale = getattr(request, "locale", DEFAULT_LOCALE)
    host = request.host.split(":")[0] if request is not None else "127.0.0.1"
    env = _environment(service, locale)
    ports = settings.ports
    nav = [(svc, translate(SERVICE_TITLES[svc], locale), f"http://{host}:{port}/") for svc, port in ports.items()]
    html = env.get_template(template).render(
        service=service,
        title=translate(title, locale),
        nav=nav,
        tz=settings.dealer_timezone,
        locale=locale,
        locales=LOCALES,
        staff=getattr(request, "staff", None),
        csrf_token=getattr(request, "csrf_token", ""),
        staff_url=f"http://{host}:{ports['staff']}",
        request_path=request.full_path if request is not None else "/",
        flashes=_flashes(request, locale),
        **context,
    )
    response = Response(html, status=status, mimetype="text/html")
    if request is not None and request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


# --- one use case, exposed as a page and as JSON ---------------------------------------------------------


def refused_page(service: str | None, request, exc: DomainError, title: str | None = None) -> Response:
    """A DomainError (NotFound included) as a page in the staff member's language, with its status."""
    if title is None:
        title = N_("Not found") if isinstance(exc, NotFound) else N_("Not allowed")
    message = exc.message_in(getattr(request, "locale", DEFAULT_LOCALE))
    return page(service, title, "refused.html", request, status=exc.status, code=exc.status, message=message)


def not_found_page(service: str | None, request, message: str = "") -> Response:
    """The page answered when what a page shows does not exist (404)."""
    return page(service, N_("Not found"), "refused.html", request, status=404, code=404, message=message)


def form_action(
    request,
    use_case: Callable[[], Any],
    *,
    done: str | Callable[[Any], str],
    ok: str | Callable[[Any], tuple[str, dict]] | None = None,
    form_page: Callable[[dict, int], Response] | None = None,
    back: str | None = None,
    rename: dict[str, str] | None = None,
) -> Response:
    """A posted form: run the use case (the same one its JSON view runs), then 303 to `done` with `ok` flashed.

    Refused (DomainError or ValidationError): with `form_page(errors, 422)` the form is shown again with each
    error beside its field (the page keeps `request.form` as the input); without one the error is flashed on
    `back` (default: the page the form came from, `done`).

        return form_action(request, lambda: self.db.run(incidents.record_action, incident_id, cmd, actor_id=…),
                           done="/pre-inspection", ok=N_("The action is recorded"))
    """
    try:
        result = use_case()
    except (DomainError, ValidationError) as exc:
        if form_page is not None:
            return form_page(form_errors(exc, request.locale, rename), 422)
        target = back or (done if isinstance(done, str) else request.path)
        if isinstance(exc, DomainError):
            return flash(redirect(target, code=303), "error", exc.msgid, **exc.params)
        name, messages = next(iter(field_errors(exc.messages, request.locale).items()))
        return flash(redirect(target, code=303), "error", f"{name}: {messages[0]}")
    response = redirect(done(result) if callable(done) else done, code=303)
    if ok is None:
        return response
    msgid, params = ok(result) if callable(ok) else (ok, {})
    return flash(response, "ok", msgid, **params)
