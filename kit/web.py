"""HTTP for every service: JSON answers, errors staff can read (Chinese, field named), zh-CN pages.

@api("POST", "/api/appointments")
def book(self, request):
    return 201, self.db.run(handlers.book_appointment, read_json(request, BookAppointment()))
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from marshmallow import Schema, ValidationError
from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .auth import SESSION_COOKIE, Sessions, load_or_create_secret
from .config import HTTP_PORTS, SERVICE_TITLES, Settings
from .errors import DomainError

log = logging.getLogger(__name__)

# marshmallow's messages, as the staff read them. Unknown messages pass through unchanged.
_ZH = {
    "Missing data for required field.": "必填项",
    "Not a valid string.": "应为文本",
    "Not a valid integer.": "应为整数",
    "Not a valid number.": "应为数字",
    "Not a valid decimal.": "应为数字",
    "Not a valid datetime.": "日期时间格式不正确",
    "Not a valid date.": "日期格式不正确",
    "Not a valid list.": "应为列表",
    "Not a valid mapping type.": "格式不正确",
    "Unknown field.": "未知字段",
    "Field may not be null.": "不能为空",
    "Not a valid aware datetime.": "日期时间须带时区",
    "Shorter than minimum length 1.": "不能为空",
}


def zh(message: str) -> str:
    if message in _ZH:
        return _ZH[message]
    if message.startswith("Length must be"):
        return "长度不符合要求: " + message
    if message.startswith("Must be greater than"):
        return "数值须大于 " + message.rsplit(" ", 1)[-1].rstrip(".")
    return message


def field_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten marshmallow's nested errors to {"vehicle.vin": ["必填项"]}."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(field_errors(value, name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "_"] = [zh(m) for m in messages]
    elif isinstance(messages, list):
        for i, value in enumerate(messages):
            out.update(field_errors(value, f"{prefix}[{i}]"))
    else:
        out[prefix or "_"] = [zh(str(messages))]
    return out


class JSONEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return str(o)
        if isinstance(o, datetime | date):
            return o.isoformat()
        if isinstance(o, uuid.UUID):
            return str(o)
        return super().default(o)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, cls=JSONEncoder, ensure_ascii=False), status=status, mimetype="application/json")


def read_json(request, schema: Schema | None = None) -> dict[str, Any]:
    """The request body as a dict, loaded through `schema` when given (raises ValidationError)."""
    try:
        data = json.loads(request.get_data(as_text=True) or "{}")
    except json.JSONDecodeError:
        raise DomainError("请求内容不是有效的 JSON", code="bad_json") from None
    if not isinstance(data, dict):
        raise DomainError("请求内容应为 JSON 对象", code="bad_json")
    return schema.load(data) if schema is not None else data


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


class Api(HttpRequestHandler):
    """nameko's HTTP entrypoint: signed-in staff only, fenced by role, answering JSON or a page.

    Every route names the action it performs (kit.auth.PERMISSIONS) or says it is public (health, sign-in):
    - no valid session -> 401; a role without the action -> 403; a cookie-authenticated form post
      without the session's CSRF token -> 403. Pages get a Chinese page, API calls JSON.
    - the worker sees `request.staff` (kit.auth.StaffMember): the acting staff member of every change.
    Errors a person can act on:
    - DomainError -> its status (422, 404), {"error": {"code", "message", "field"}}
    - ValidationError -> 400, {"error": {"code": "invalid", "message", "fields": {name: [..]}}}
    - anything else -> 500 with a generic message (details in the log, not the answer)
    """

    def __init__(self, method, url, *, action: str | None = None, public: bool = False, **kwargs):
        if not public and action is None:
            raise ValueError(f"{method} {url}: name the action it performs, or mark it public")
        self.action = action
        self.public = public
        super().__init__(method, url, **kwargs)

    def setup(self):
        super().setup()
        settings = Settings.load(self.container.config)
        self.sessions = Sessions(load_or_create_secret(settings.signing_key_dir), settings.session_hours)

    def handle_request(self, request):
        request.staff = None
        request.sessions = self.sessions
        try:
            if not self.public or request.cookies.get(SESSION_COOKIE):
                refusal = self.authorize(request)
                if refusal is not None and not self.public:
                    return refusal
        except Exception as exc:  # noqa: BLE001 - answer, and keep the cause in the log
            return self.response_from_exception(exc)
        return super().handle_request(request)

    def authorize(self, request) -> Response | None:
        header = request.headers.get("Authorization", "")
        via_cookie = not header.startswith("Bearer ")
        token = request.cookies.get(SESSION_COOKIE) if via_cookie else header[len("Bearer ") :].strip()
        staff = self.sessions.verify(token)
        if staff is None:
            return refusal_response(request, 401, "unauthenticated", "请先登录")
        request.staff = staff
        request.csrf_token = self.sessions.csrf_token(token)
        if self.public:
            return None
        if not staff.may(self.action):
            return refusal_response(request, 403, "forbidden", "您的岗位无权进行此操作")
        if via_cookie and request.method not in SAFE_METHODS:
            presented = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
            if not self.sessions.csrf_ok(token, presented):
                return refusal_response(request, 403, "csrf", "表单已过期或来源不明，请刷新页面后重试")
        return None

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status = 200
        if isinstance(result, tuple):
            status, result = result
        return json_response(result, status)

    def response_from_exception(self, exc):
        if isinstance(exc, DomainError):
            return json_response({"error": {"code": exc.code, "message": exc.message, "field": exc.field}}, exc.status)
        if isinstance(exc, ValidationError):
            fields = field_errors(exc.messages)
            first = next(iter(fields.items()))
            return json_response(
                {"error": {"code": "invalid", "message": f"{first[0]}: {first[1][0]}", "fields": fields}}, 400
            )
        if isinstance(exc, HTTPException):
            return json_response({"error": {"code": "http", "message": exc.description}}, exc.code or 400)
        log.error("unhandled error in %s %s", self.method, self.url, exc_info=exc)
        return json_response({"error": {"code": "internal", "message": "系统内部错误，请稍后重试"}}, 500)


api = Api.decorator


def refusal_response(request, status: int, code: str, message: str) -> Response:
    if wants_json(request):
        return json_response({"error": {"code": code, "message": message}}, status)
    login = f"http://{request.host.split(':')[0]}:{HTTP_PORTS['staff']}/login?next={request.url}"
    return page(
        None,
        "请先登录" if status == 401 else "无权访问",
        "refused.html",
        request,
        status=status,
        message=message,
        login_url=login,
    )


# --- pages -----------------------------------------------------------------------------------

_templates = Environment(
    loader=FileSystemLoader([str(Path(__file__).parent / "templates")]),
    autoescape=select_autoescape(["html"]),
)


def local_time(value: datetime | None, tz: str = "Asia/Shanghai", fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz)).strftime(fmt)


_templates.filters["local"] = local_time


def page(service: str | None, title: str, template: str, request=None, status: int = 200, **context) -> Response:
    """Render a zh-CN department page; `template` is a file under the service's ui/ folder (or the kit's)."""
    settings = Settings.load()
    host = request.host.split(":")[0] if request is not None else "127.0.0.1"
    nav = [(svc, SERVICE_TITLES[svc], f"http://{host}:{port}/") for svc, port in HTTP_PORTS.items()]
    folders = [str(Path(__file__).parent / "templates")]
    if service:
        folders.insert(0, str(Path(__file__).resolve().parent.parent / "services" / service / "ui"))
    html = (
        _templates.overlay(loader=FileSystemLoader(folders))
        .get_template(template)
        .render(
            service=service,
            title=title,
            nav=nav,
            tz=settings.dealer_timezone,
            staff=getattr(request, "staff", None),
            csrf_token=getattr(request, "csrf_token", ""),
            staff_url=f"http://{host}:{HTTP_PORTS['staff']}",
            **context,
        )
    )
    return Response(html, status=status, mimetype="text/html")
