"""The container's health check: exit 0 when the service's /healthz answers 200, 1 otherwise (503, no answer).

The port is the one the service listens on (`WEB_SERVER_ADDRESS`, host:port).
"""

import os
import sys
import urllib.request

port = os.environ.get("WEB_SERVER_ADDRESS", "127.0.0.1:8000").rpartition(":")[2]
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=4) as answer:
        sys.exit(0 if answer.status == 200 else 1)
except OSError as exc:
    print(f"/healthz on port {port}: {exc}", file=sys.stderr)
    sys.exit(1)
