"""Staff 员工: the directory, the one sign-in for every department UI, and its administration."""

from contracts import names
from kit.extensions import Database
from kit.service import KitEndpoints

from . import seed
from .models import Base
from .web import SignInEndpoints, StaffAdminEndpoints


class Service(SignInEndpoints, StaffAdminEndpoints, KitEndpoints):
    name = names.STAFF
    db = Database(Base.metadata, seed=seed.reference_data)
