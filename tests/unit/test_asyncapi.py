"""The event catalogue (issue 14, item 4): contracts/asyncapi.yaml is what `make asyncapi` generates from
contracts/ today, and it is a valid AsyncAPI 3.0 document by the official JSON Schema (vendored)."""

import copy

import yaml
from marshmallow import fields

from contracts.events import EVENTS
from tools import asyncapi


def test_the_committed_catalogue_matches_the_contracts():
    committed = asyncapi.DOCUMENT.read_text(encoding="utf-8")
    assert committed == asyncapi.render(), "contracts changed: run `make asyncapi` and commit contracts/asyncapi.yaml"


def test_a_changed_contract_is_a_drift(monkeypatch):
    committed = asyncapi.DOCUMENT.read_text(encoding="utf-8")
    producer, schema = EVENTS[("complaint_opened", 1)]
    wider = type("ComplaintOpenedWider", (schema,), {"channel": fields.String()})
    monkeypatch.setitem(EVENTS, ("complaint_opened", 1), (producer, wider))
    assert asyncapi.render() != committed


def test_the_committed_catalogue_is_valid_asyncapi_3():
    document = yaml.safe_load(asyncapi.DOCUMENT.read_text(encoding="utf-8"))
    assert document["asyncapi"] == "3.0.0"
    assert asyncapi.validate(document) == []
    assert set(document["components"]["messages"]) == {f"{t}.v{v}" for t, v in EVENTS}
    assert document["channels"]["hq.events"]["bindings"]["amqp"]["queue"]["name"] == "hq.events"


def test_the_validation_refuses_a_broken_document():
    document = yaml.safe_load(asyncapi.DOCUMENT.read_text(encoding="utf-8"))
    no_info = copy.deepcopy(document)
    del no_info["info"]
    wrong_action = copy.deepcopy(document)
    wrong_action["operations"]["hq_ingest"]["action"] = "publish"  # AsyncAPI 2's word, not 3's
    assert any("info" in e for e in asyncapi.validate(no_info))
    assert any(e.startswith("operations/hq_ingest") for e in asyncapi.validate(wrong_action))
