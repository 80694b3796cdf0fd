"""Errors the kit knows how to route."""


class PermanentError(Exception):
    """Handling this message can never succeed: dead-letter it at once with this reason, no retries."""


class DomainError(Exception):
    """A business rule refused a command. `field` names the offending input for the UI.

    `message` is in Chinese for the staff; `code` is stable for programs.
    """

    status = 422

    def __init__(self, message: str, *, field: str | None = None, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class NotFound(DomainError):
    status = 404

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message, field=field, code="not_found")
