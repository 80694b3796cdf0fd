"""Who may do what in the staff directory: action -> the roles allowed (signing in is public, and what
any signed-in staff member may do, `staff.self`, is the kit's)."""

PERMISSIONS: dict[str, frozenset[str]] = {
    "staff.admin": frozenset({"admin"}),
}
