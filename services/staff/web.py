"""Staff's pages and JSON views: the one sign-in for every department UI, and the directory's administration."""

from marshmallow import Schema, ValidationError
from werkzeug.utils import redirect

from kit import sessions
from kit.auth import ROLES, SESSION_COOKIE
from kit.bounds import NAME, SHORT, Items, Text
from kit.config import Settings
from kit.errors import DomainError
from kit.i18n import N_
from kit.security import local_redirect
from kit.web import api, form_errors, page, read_json

from . import domain, handlers

PASSWORD = 200  # argon2 hashes any length; a bound keeps a 1 MB "password" from costing a hash


class Login(Schema):
    staff_id = Text(SHORT, min_length=1, required=True)
    password = Text(PASSWORD, min_length=1, required=True)


class Register(Schema):
    staff_id = Text(SHORT, min_length=1, required=True)
    name = Text(NAME, min_length=1, required=True)
    mobile = Text(20, required=True)
    department = Text(SHORT, required=True)  # one of domain.DEPARTMENTS, checked there
    roles = Items(Text(SHORT), min_items=1, max_items=len(ROLES), required=True)
    password = Text(PASSWORD, required=True)


class Password(Schema):
    password = Text(PASSWORD, required=True)


class Roles(Schema):
    roles = Items(Text(SHORT), max_items=len(ROLES), required=True)


def safe_next(request, target: str | None) -> str:
    """Only back to a page of this dealership's own line: a local path, or one of the line's services on the
    host the sign-in came to (no open redirect)."""
    return local_redirect(target, request, Settings.load().ports.values())


class SignInEndpoints:
    """Mixed into services.staff.service.Service (which provides `db`)."""

    @api("GET", "/login", public=True)
    def login_page(self, request):
        return page(
            self.name,
            N_("Staff sign-in"),
            "login.html",
            request,
            values={"next": request.args.get("next", "")},
            errors={},
        )

    @api("POST", "/login", public=True)
    def login_form(self, request):
        values = {"staff_id": request.form.get("staff_id", ""), "next": request.form.get("next", "")}
        try:
            cmd = Login().load({"staff_id": values["staff_id"], "password": request.form.get("password", "")})
            staff = self._sign_in(request, cmd)
        except (ValidationError, DomainError) as exc:
            status = 400 if isinstance(exc, ValidationError) else (429 if exc.code == "locked" else 401)
            return page(
                self.name,
                N_("Staff sign-in"),
                "login.html",
                request,
                values=values,
                status=status,
                errors=form_errors(exc, request.locale),
            )
        response = redirect(safe_next(request, values["next"]), code=303)
        response.set_cookie(
            SESSION_COOKIE,
            request.sessions.issue(staff),
            httponly=True,
            samesite="Lax",
            max_age=request.sessions.max_age,
            path="/",
        )
        return response

    @api("POST", "/api/login", public=True)
    def login_api(self, request):
        """{"staff_id": "A001", "password": "…"} -> {"token": "…", "staff": {...}} (send as `Authorization: Bearer`)"""
        staff = self._sign_in(request, read_json(request, Login))
        return {"token": request.sessions.issue(staff), "staff": staff.__dict__}

    def _sign_in(self, request, cmd: dict):
        """Throttled per account and address (handlers.sign_in); a refusal raised once its attempt is kept."""
        raw = Settings.load().raw or {}
        limits = (
            int(raw.get("SIGN_IN_ACCOUNT_FAILURES") or domain.ACCOUNT_FAILURES),
            int(raw.get("SIGN_IN_ADDRESS_FAILURES") or domain.ADDRESS_FAILURES),
        )
        address = request.remote_addr or ""  # the peer; a proxy in front must not be trusted blindly
        staff, refused = self.db.run(
            handlers.sign_in, cmd["staff_id"], cmd["password"], address, limits, actor_id=cmd["staff_id"]
        )
        if refused is not None:
            raise refused
        return staff

    @api("POST", "/logout", action="staff.self")
    def logout(self, request):
        """Sign out: this session ends in every service (kit.sessions), not only the cookie here."""
        self._end_session(request)
        response = redirect("/login", code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @api("POST", "/api/logout", action="staff.self")
    def logout_api(self, request):
        """Sign out the session of this request's token: every service refuses it from now on."""
        self._end_session(request)
        return {"signed_out": request.staff.staff_id}

    def _end_session(self, request) -> None:
        header = request.headers.get("Authorization", "")
        token = (
            header[len("Bearer ") :].strip() if header.startswith("Bearer ") else request.cookies.get(SESSION_COOKIE)
        )
        claims = request.sessions.claims(token) or {}
        self.db.run(handlers.sign_out, request.staff.staff_id, claims.get("jti"), actor_id=request.staff.staff_id)
        sessions.changed()

    @api("GET", "/api/me", action="staff.self")
    def me(self, request):
        return {**request.staff.__dict__, "actions": request.staff.actions()}


class StaffAdminEndpoints:
    """Mixed into services.staff.service.Service (which provides `db`)."""

    @api("GET", "/", action="staff.self")
    def index(self, request):
        directory = self.db.read(handlers.directory) if request.staff.may("staff.admin") else []
        return page(
            self.name,
            N_("Staff and roles"),
            "index.html",
            request,
            directory=directory,
            roles=ROLES,
            departments=domain.DEPARTMENTS,
            values={},
            errors={},
        )

    @api("GET", "/api/staff", action="staff.admin")
    def list_staff(self, request):
        return {"staff": self.db.read(handlers.directory)}

    @api("POST", "/api/staff", action="staff.admin")
    def register(self, request):
        """{"staff_id": "A003", "name": "…", "mobile": "139…", "department": "front_desk",
        "roles": ["service_advisor"], "password": "…"}"""
        staff = self.db.run(handlers.register, read_json(request, Register), actor_id=request.staff.staff_id)
        return 201, handlers.staff_view(staff)

    @api("POST", "/api/staff/<staff_id>/password", action="staff.admin")
    def reset_password(self, request, staff_id):
        cmd = read_json(request, Password)
        staff = self.db.run(handlers.reset_password, staff_id, cmd["password"], actor_id=request.staff.staff_id)
        sessions.changed()
        return handlers.staff_view(staff)

    @api("POST", "/api/staff/<staff_id>/roles", action="staff.admin")
    def change_roles(self, request, staff_id):
        cmd = read_json(request, Roles)
        staff = self.db.run(handlers.change_roles, staff_id, cmd["roles"], actor_id=request.staff.staff_id)
        sessions.changed()
        return handlers.staff_view(staff)

    @api("POST", "/admin/staff", action="staff.admin")
    def register_form(self, request):
        values = {k: request.form.get(k, "") for k in ("staff_id", "name", "mobile", "department")}
        values["roles"] = request.form.getlist("roles")
        try:
            cmd = Register().load({**values, "password": request.form.get("password", "")})
            self.db.run(handlers.register, cmd, actor_id=request.staff.staff_id)
        except (ValidationError, DomainError) as exc:
            return self._admin_page(request, values, form_errors(exc, request.locale))
        return redirect("/?added=" + cmd["staff_id"].upper(), code=303)

    @api("POST", "/admin/staff/<staff_id>", action="staff.admin")
    def update_form(self, request, staff_id):
        try:
            if request.form.get("password"):
                self.db.run(
                    handlers.reset_password, staff_id, request.form["password"], actor_id=request.staff.staff_id
                )
            if "roles" in request.form:
                self.db.run(
                    handlers.change_roles, staff_id, request.form.getlist("roles"), actor_id=request.staff.staff_id
                )
        except DomainError as exc:
            return self._admin_page(request, {}, {f"{staff_id}.{exc.field}": [exc.message_in(request.locale)]})
        sessions.changed()
        return redirect(f"/?updated={staff_id}", code=303)

    def _admin_page(self, request, values, errors):
        return page(
            self.name,
            N_("Staff and roles"),
            "index.html",
            request,
            status=400,
            directory=self.db.read(handlers.directory),
            roles=ROLES,
            departments=domain.DEPARTMENTS,
            values=values,
            errors=errors,
        )
