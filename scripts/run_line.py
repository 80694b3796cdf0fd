"""`make run`: the whole line with demo data, then the group HQ reading the line's feed; prints each URL and waits
for Ctrl-C."""

import os
import shutil
import signal
import sys
import time
from pathlib import Path

from demo_visits import drive as drive_demo_visits  # scripts/, beside this file

from contracts import names
from kit.auth import ROLES as ROLE_TITLES
from kit.config import HQ_HTTP_PORT, SERVICE_TITLES, Settings
from kit.i18n import translate
from services.staff.seed import DEMO_PASSWORD
from services.staff.seed import STAFF as DEMO_STAFF
from tools.line import Line, broker_reachable


def main() -> int:
    settings = Settings.load()
    reason = broker_reachable(settings.amqp_uri)
    if reason:
        print(f"RabbitMQ is not reachable at {settings.amqp_uri} ({reason}).", file=sys.stderr)
        print(
            "Start one: `make up` (Docker), or `rabbitmq-server -detached` where RabbitMQ is installed, "
            "or set AMQP_URI to a running broker.",
            file=sys.stderr,
        )
        return 1
    var_dir = Path(os.environ.get("VAR_DIR", "var")).resolve()
    seed = os.environ.get("SEED", "demo")
    # SERVICE_PORTS=staff=18000,booking=18001,… moves the line off the default ports
    ports = {names.HQ: HQ_HTTP_PORT, **settings.ports}  # SERVICE_PORTS=…,hq=18010 moves HQ too
    line = Line(env={"SEED": seed, "VAR_DIR": str(var_dir)}, log_dir=var_dir / "log", ports=ports)
    print(f"Starting the six department services and the sign-in service (logs in {line.log_dir}) ...", flush=True)
    try:
        line.start()
    except (RuntimeError, TimeoutError) as exc:
        print(f"Could not start the line: {exc}", file=sys.stderr)
        line.stop()
        return 1
    print("\nThe after-sales line is running. Department UIs:")
    for service in names.SERVICES:
        title = f"{translate(SERVICE_TITLES[service], 'zh_CN')} {SERVICE_TITLES[service]}"
        print(f"  {title:<18} {line.url(service)}")
    print(f"\nSign in at {line.url(names.STAFF, '/login')} as any of (password {DEMO_PASSWORD}):")
    for staff_id, name, _mobile, _department, roles in DEMO_STAFF:
        print(f"  {staff_id:<6} {name:<6} {', '.join(translate(ROLE_TITLES[r], 'en') for r in roles)}")
    start_hq(line, settings, var_dir)
    if seed == "demo":
        print("\nDriving the demo cars to their stages (only on new demo databases) ...", flush=True)
        try:
            drive_demo_visits(line.url, log=lambda text: print(f"  {text}", flush=True), tz=settings.dealer_timezone)
        except Exception as exc:  # noqa: BLE001 - the demo cars are a nicety; the line runs without them
            print(f"  demo visits not added: {exc.__class__.__name__}: {exc}", file=sys.stderr)
    print("\nHealth: <url>/healthz   JSON API: <url>/api/...   Stop with Ctrl-C.", flush=True)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    try:
        while not stopping:
            for service, proc in line.processes.items():
                if proc.poll() is not None:
                    print(f"{service} exited ({proc.returncode}); restarting", file=sys.stderr)
                    line.start_one(service)
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping ...")
        line.stop()
    return 0


def start_hq(line: Line, settings: Settings, var_dir: Path) -> None:
    """The group HQ (services/hq) after the line, reading the `hq.events` stream on HQ_AMQP_URI (default: this
    broker); this store's published order-signing keys are copied to HQ_STORES_DIR/<DEALER_ID>/ (what a group does
    once per store). The store's feed reaches the stream through the shovel of deploy/ (see README, Group HQ)."""
    stores_dir = Path(os.environ.get("HQ_STORES_DIR", var_dir / "hq-stores"))
    store_keys = stores_dir / settings.dealer_id
    store_keys.mkdir(parents=True, exist_ok=True)
    for key in (var_dir / "keys").glob("order-signing-*.pub"):
        shutil.copy2(key, store_keys / key.name)
    line.env["HQ_STORES_DIR"] = str(stores_dir)
    if not os.environ.get("HQ_AMQP_URI"):
        link_store_to_local_hq(settings)
    try:
        line.start([names.HQ])
    except (RuntimeError, TimeoutError) as exc:
        print(f"The group HQ did not start: {exc}", file=sys.stderr)
        return
    title = f"{translate(SERVICE_TITLES[names.HQ], 'zh_CN')} {SERVICE_TITLES[names.HQ]}"
    print(f"\nThe group HQ (sign in as H001) reads the stream hq.events of {settings.dealer_id}:")
    print(f"  {title:<18} {line.url(names.HQ)}")


def link_store_to_local_hq(settings: Settings) -> None:
    """One store and its HQ on one broker (make run): HQ's stream is fed from the store's relayed feed by an
    exchange-to-exchange binding carrying the relays' mark, standing in for the shovel a group runs between
    brokers (deploy/hq). Idempotent; what the relays publish after it reaches HQ."""
    from kombu import Connection

    from kit import streams
    from kit.bus import hq_binding, hq_exchange

    ns = settings.bus_namespace
    with Connection(settings.amqp_uri, connect_timeout=10) as conn:
        channel = conn.channel()
        streams.declare(channel)
        ingress, _stream = streams.names()
        channel.exchange_bind(ingress, hq_exchange(ns).name, routing_key="", arguments=hq_binding(ns))
        channel.close()


if __name__ == "__main__":
    sys.exit(main())
