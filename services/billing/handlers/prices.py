"""The price list's versions: a clerk prepares one (the maker's parts price file imported, CSV or XLSX), the
service manager publishes it (two people; price_list_published updates every copy); every version stays
readable and two can be compared."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from kit.errors import DomainError, NotFound
from kit.i18n import N_

from .. import models
from ..domain import price_lists
from ..models import LabourOperation, PartPrice, PriceList, PriceListDraft
from .invoices import publish_price_list


def version_body(session, version: str) -> dict:
    """A published version or a draft as the event's payload shape."""
    published = session.get(PriceList, version)
    if published is not None:
        ops = session.scalars(
            sa.select(LabourOperation).filter_by(price_list_version=version).order_by(LabourOperation.code)
        )
        parts = session.scalars(sa.select(PartPrice).filter_by(price_list_version=version).order_by(PartPrice.part_no))
        return {
            "version": version,
            "status": "published",
            "effective_from": published.effective_from,
            "labour_rate": published.labour_rate,
            "vat_rate": published.vat_rate,
            "labour_operations": [{"code": o.code, "name": o.name, "standard_hours": o.standard_hours} for o in ops],
            "parts": [{"part_no": p.part_no, "name": p.name, "unit_price": p.unit_price} for p in parts],
        }
    draft = session.get(PriceListDraft, version)
    if draft is None:
        raise NotFound(N_("No such price list version"), field="version")
    return {
        "version": version,
        "status": "draft",
        "prepared_by": draft.prepared_by,
        "effective_from": draft.effective_from,
        "labour_rate": draft.labour_rate,
        "vat_rate": draft.vat_rate,
        "labour_operations": [{**o, "standard_hours": Decimal(o["standard_hours"])} for o in draft.labour_operations],
        "parts": [{**p, "unit_price": Decimal(p["unit_price"])} for p in draft.parts],
    }


def versions(session) -> list[dict]:
    published = session.scalars(sa.select(PriceList).order_by(PriceList.effective_from.desc()))
    drafts = session.scalars(sa.select(PriceListDraft).where(PriceListDraft.published_by.is_(None)))
    rows = [
        {"version": d.version, "status": "draft", "effective_from": d.effective_from, "prepared_by": d.prepared_by}
        for d in drafts
    ]
    rows += [
        {
            "version": p.version,
            "status": "published",
            "effective_from": p.effective_from,
            "published_at": p.published_at,
        }
        for p in published
    ]
    return rows


def prepare_version(uow, cmd: dict, parts: list[dict] | None) -> PriceListDraft:
    """A clerk prepares a version: from the price list in force, with a new labour rate / VAT / effective date
    and, when a price file is given, its parts prices."""
    session = uow.session
    rate, vat = price_lists.check_version(cmd.get("version", ""), cmd.get("labour_rate"), cmd.get("vat_rate"))
    if session.get(PriceList, cmd["version"]) or session.get(PriceListDraft, cmd["version"]):
        raise DomainError(N_("Version {version} exists already"), field="version", version=cmd["version"])
    current = models.current_price_list(session)
    base = version_body(session, current.version) if current else {"labour_operations": [], "parts": []}
    chosen = parts if parts is not None else base["parts"]
    draft = PriceListDraft(
        version=cmd["version"],
        effective_from=cmd["effective_from"],
        labour_rate=rate,
        vat_rate=vat,
        labour_operations=[{**o, "standard_hours": str(o["standard_hours"])} for o in base["labour_operations"]],
        parts=[{**p, "unit_price": str(p["unit_price"])} for p in chosen],
        prepared_by=uow.actor_id,
        prepared_at=uow.clock(),
    )
    session.add(draft)
    session.flush()
    return draft


def publish_version(uow, version: str) -> dict:
    """The service manager publishes a prepared version (not their own); every copy is updated by the event."""
    draft = uow.session.get(PriceListDraft, version)
    if draft is None:
        raise NotFound(N_("No such price list version"), field="version")
    price_lists.check_publisher(draft.prepared_by, uow.actor_id, draft.published_by)
    body = version_body(uow.session, version)
    payload = {
        k: body[k] for k in ("version", "effective_from", "labour_rate", "vat_rate", "labour_operations", "parts")
    }
    publish_price_list(uow, payload)
    draft.published_by = uow.actor_id
    return payload


def compare(session, old: str, new: str) -> dict:
    return {"from": old, "to": new, **price_lists.diff(version_body(session, old), version_body(session, new))}
