"""Expert help 技术支持 (R-WS-4): a technician's question (with photos) on a job, the expert's answer, and the
time to answer against a target (30 minutes by default); an unanswered ticket past it alerts the service
manager, once. Plain Python."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta

from kit.errors import DomainError

MAX_QUESTION = 1000
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 2_000_000
PHOTO_TYPES = {"image/jpeg": b"\xff\xd8", "image/png": b"\x89PNG"}


def check_question(question: str | None) -> str:
    text = (question or "").strip()
    if not text:
        raise DomainError("Write the question for the expert", field="question", code="required")
    if len(text) > MAX_QUESTION:
        raise DomainError("At most {n} characters", field="question", n=MAX_QUESTION)
    return text


def check_answer(answer: str | None) -> str:
    text = (answer or "").strip()
    if not text:
        raise DomainError("Write the answer", field="answer", code="required")
    if len(text) > MAX_QUESTION:
        raise DomainError("At most {n} characters", field="answer", n=MAX_QUESTION)
    return text


def check_photo(content_type: str, data: bytes, index: int = 0) -> None:
    """A photo from the tablet: JPEG or PNG (by its first bytes), at most 2 MB."""
    magic = PHOTO_TYPES.get(content_type)
    if magic is None or not data.startswith(magic) or len(data) > MAX_PHOTO_BYTES:
        raise DomainError("A photo must be a JPEG or PNG of at most 2 MB", field=f"photos[{index}]", code="photo")


def photo_from_data_url(url: str, index: int = 0) -> tuple[str, bytes]:
    """`data:image/jpeg;base64,...` (the JSON API's way of sending a photo)."""
    head, _, raw = (url or "").partition(",")
    content_type = head.removeprefix("data:").removesuffix(";base64")
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        data = b""
    check_photo(content_type, data, index)
    return content_type, data


def answer_due(asked_at: datetime, target_minutes: int) -> datetime:
    return asked_at + timedelta(minutes=target_minutes)


def is_overdue(asked_at: datetime, answered_at: datetime | None, now: datetime, target_minutes: int) -> bool:
    """Unanswered past the target (an answer given late still counts as late in the numbers)."""
    due = answer_due(asked_at, target_minutes)
    return (answered_at or now) > due


def minutes_to_answer(asked_at: datetime, answered_at: datetime | None) -> int | None:
    return None if answered_at is None else int((answered_at - asked_at).total_seconds() // 60)
