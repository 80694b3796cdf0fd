"""How a service process starts (kit.process): what it loads, and name lookups off the event loop."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kit.process import is_numeric_address

ROOT = Path(__file__).resolve().parents[2]


def _in_a_service_process(code: str) -> dict:
    """`code` run after kit.process.prepare() in a fresh interpreter, as kit.serve starts; it prints JSON."""
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", f"from kit import process\nprocess.prepare()\n{code}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_services_that_never_use_a_signing_key_load_neither_green_dns_nor_cryptography_nor_alembic():
    loaded = _in_a_service_process(
        "import importlib, json, sys\n"
        "for svc in ('staff', 'booking', 'followup'):\n"
        "    importlib.import_module(f'services.{svc}.service')\n"
        "print(json.dumps(sorted({m.partition('.')[0] for m in sys.modules} & {'dns', 'cryptography', 'alembic'})))"
    )
    assert loaded == []


def test_a_name_is_looked_up_in_a_thread_and_a_numeric_address_needs_no_thread():
    seen = _in_a_service_process(
        "import json, socket\n"
        "from eventlet import tpool\n"
        "numeric = socket.getaddrinfo('127.0.0.1', 5672, 0, socket.SOCK_STREAM)\n"
        "after_numeric = bool(tpool._setup_already)\n"
        "named = socket.getaddrinfo('localhost', 5672, 0, socket.SOCK_STREAM)\n"
        "print(json.dumps({'numeric': numeric[0][4][0], 'threads_after_numeric': after_numeric,\n"
        "                  'named': bool(named), 'threads_after_named': bool(tpool._setup_already)}))"
    )
    assert seen == {"numeric": "127.0.0.1", "threads_after_numeric": False, "named": True, "threads_after_named": True}


@pytest.mark.parametrize(
    ("host", "numeric"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("fe80::1%eth0", True),
        (b"10.0.0.7", True),
        ("rabbitmq", False),
        ("localhost", False),
        ("", False),
        ("1.2.3", False),
    ],
)
def test_numeric_addresses_are_told_from_names(host, numeric):
    assert is_numeric_address(host) is numeric


def test_a_started_service_keeps_what_it_loaded_out_of_the_collectors_passes():
    """kit.serve settles the collector once the service has loaded (kit.process.settle_collector)."""
    settled = _in_a_service_process(
        "import gc, json\n"
        "import services.workshop.service\n"
        "before = gc.get_freeze_count()\n"
        "process.settle_collector()\n"
        "print(json.dumps([before, gc.get_freeze_count(), gc.get_threshold()[0], len(gc.get_objects(2))]))"
    )
    before, frozen, young, old = settled
    assert before == 0 and frozen > 50_000  # the modules and their metadata
    assert young == 10_000
    assert old < 1_000  # a full pass has (nearly) nothing left to scan
