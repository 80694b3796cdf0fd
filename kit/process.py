"""How a service process starts, before anything else is imported: eventlet's monkey-patching, with name lookups
in a thread instead of eventlet's green DNS. `kit.serve` (`make run`, the bench, the containers) and the tests'
fork server (tools/forkserver.py) call `prepare()` first; a process forked from one that imported the services makes
its own hub (`fresh_hub`).

Green DNS (eventlet.support.greendns) imports dnspython twice over (the module and its patched copy, some 200
modules) and, through dnspython's DNSSEC algorithms, cryptography's native library: about 8 MB resident in every
service, for the few names a service looks up (the broker's and the SMTP server's host, at each connection).
`EVENTLET_NO_GREENDNS=yes` leaves it out (an operator may still set it to `no`); without it a lookup would block
the service's event loop, so a name is looked up in eventlet's pool of OS threads (`tpool`), and a numeric address,
which needs no lookup, at once.

Once started (`settle_collector`), what the process loaded is kept out of the garbage collector's passes.
"""

from __future__ import annotations

import gc
import os

GREEN_DNS_SETTING = "EVENTLET_NO_GREENDNS"
YOUNG_COLLECTION_ALLOCATIONS = 10_000  # CPython's default is 700


def prepare() -> None:
    os.environ.setdefault(GREEN_DNS_SETTING, "yes")
    import eventlet

    eventlet.monkey_patch()
    if os.environ[GREEN_DNS_SETTING].lower() == "yes":
        _lookups_in_a_thread()


def _lookups_in_a_thread() -> None:
    import socket

    from eventlet import tpool
    from eventlet.green import socket as green_socket

    blocking = green_socket.getaddrinfo  # the C library's, once green DNS is left out

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002 - socket.getaddrinfo's names
        if host is None or is_numeric_address(host):
            return blocking(host, port, family, type, proto, flags)
        return tpool.execute(blocking, host, port, family, type, proto, flags)

    # create_connection (eventlet's) reads its module's name; the patched socket module hands out this one
    green_socket.getaddrinfo = socket.getaddrinfo = getaddrinfo


def is_numeric_address(host: str | bytes) -> bool:
    import socket

    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host.split("%", 1)[0])
            return True
        except (OSError, ValueError):
            pass
    return False


def fresh_hub() -> None:
    """In a forked child: importing the services made the parent an eventlet hub (an epoll instance); a child
    sharing that instance with its parent or siblings would get their readiness events. The child closes its
    copy and makes its own."""
    import eventlet.hubs

    inherited = getattr(eventlet.hubs._threadlocal, "hub", None)
    poll = getattr(inherited, "poll", None)
    if poll is not None and hasattr(poll, "close"):
        poll.close()
    eventlet.hubs.use_hub()


def settle_collector() -> None:
    """Called when a service has loaded everything it needs to start (modules, metadata, the catalog): what it holds
    then lives as long as the process, so it is moved out of the collector's generations (`gc.freeze`). A full pass
    then scans what the requests left behind, not the 100 MB of modules: measured with the bench's --profile, a full
    pass took 65-240 ms before, and it stalls every greenthread of the service (a hop's p99). A request allocates
    thousands of objects, nearly all freed by reference counting: the young generation is collected after 10,000
    allocations rather than 700 (about a twentieth of the passes and half the collector's time, same run)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_ALLOCATIONS, middle, old)
