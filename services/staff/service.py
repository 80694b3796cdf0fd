"""Staff 员工: the directory, the one sign-in for every department UI, and its administration."""

from contracts import names
from kit.providers import Database, OutboxRelay, Seeding
from kit.service import KitEndpoints

from . import seed
from .models import Base
from .permissions import PERMISSIONS
from .web import SignInEndpoints, StaffAdminEndpoints


class Service(SignInEndpoints, StaffAdminEndpoints, KitEndpoints):
    name = names.STAFF
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    relay = OutboxRelay(db)
    seeding = Seeding(db, seed.reference_data)
