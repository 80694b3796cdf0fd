"""The dealer group's link, store -> HQ (issue 14, item 2), as RabbitMQ definitions (deploy/hq/).

    python -m tools.hq_link store --dealer-id DLR-0002 --store-vhost dlr0002 \\
        --hq-uri 'amqps://store-dlr0002:<password>@hq.example.cn:5671/hq' > deploy/hq/stores/DLR-0002.json
    rabbitmqadmin -V dlr0002 import deploy/hq/stores/DLR-0002.json      # or: POST /api/definitions/dlr0002

    python -m tools.hq_link hq [--vhost hq] > hq.json                    # HQ's broker, once

A store's file is one dynamic shovel on the store's broker: it takes the store's `<ns>hq.outbound` (the feed
copies the relays publish, redacted by kit.feed) and publishes them to HQ's `hq.ingress` with publisher
confirms, acknowledging a copy at the store only once HQ has it (ack-mode on-confirm). While HQ or the link is
down the copies wait in hq.outbound; the shovel reconnects every `reconnect-delay` seconds and catches up.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote, unquote, urlsplit

HQ_DIR = Path(__file__).resolve().parent.parent / "deploy" / "hq"
HQ_VHOST = "hq"
INGRESS = "hq.ingress"
EVENTS = "hq.events"


def hq_definitions(vhost: str = HQ_VHOST) -> dict[str, Any]:
    """HQ's vhost: the topic exchange every store's copies land in, and the stream HQ replays (deploy/hq)."""
    definitions = json.loads((HQ_DIR / "hq.definitions.json").read_text())
    definitions["vhosts"] = [{"name": vhost}]
    for kind in ("exchanges", "queues", "bindings"):
        for item in definitions[kind]:
            item["vhost"] = vhost
    return definitions


def store_definitions(
    *, dealer_id: str, store_vhost: str, hq_uri: str, namespace: str = "", reconnect_delay: int = 5
) -> dict[str, Any]:
    """One store's definitions file, from deploy/hq/store.definitions.template.json."""
    hq_user = unquote(urlsplit(hq_uri).username or "")
    if not hq_user:
        raise ValueError("the HQ URI names the store's user at HQ (amqps://<user>:<password>@host/hq)")
    values = {
        "DEALER_ID": dealer_id,
        "STORE_VHOST": store_vhost,
        "SRC_URI": "amqp:///" + quote(store_vhost, safe=""),  # the store's own broker, its vhost
        "NAMESPACE": namespace,
        "HQ_URI": hq_uri,
        "HQ_USER": hq_user,
    }
    escaped = {key: json.dumps(value)[1:-1] for key, value in values.items()}
    text = Template((HQ_DIR / "store.definitions.template.json").read_text())
    return json.loads(text.substitute(escaped, RECONNECT_DELAY=int(reconnect_delay)))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.hq_link", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    hq = sub.add_parser("hq", help="HQ's vhost, exchange and stream")
    hq.add_argument("--vhost", default=HQ_VHOST)
    store = sub.add_parser("store", help="one store's link to HQ")
    store.add_argument("--dealer-id", required=True)
    store.add_argument("--store-vhost", required=True, help="the store's vhost on its own broker")
    store.add_argument("--hq-uri", required=True, help="amqps://<store's user at HQ>:<password>@<HQ host>/<HQ vhost>")
    store.add_argument("--namespace", default="", help="BUS_NAMESPACE of the store's line (normally empty)")
    store.add_argument("--reconnect-delay", type=int, default=5)
    args = parser.parse_args(argv)
    if args.what == "hq":
        out = hq_definitions(args.vhost)
    else:
        out = store_definitions(
            dealer_id=args.dealer_id,
            store_vhost=args.store_vhost,
            hq_uri=args.hq_uri,
            namespace=args.namespace,
            reconnect_delay=args.reconnect_delay,
        )
    json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
