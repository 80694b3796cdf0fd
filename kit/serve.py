"""Run one service: `python -m kit.serve booking` (what `make run` and the containers do).

`nameko run --config config.yaml services.booking.service` works as well.
"""

from . import process

process.prepare()  # eventlet's monkey-patching: must precede every other import

import importlib  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from nameko.cli.run import run  # noqa: E402

from contracts import names  # noqa: E402

from . import i18n, logs  # noqa: E402
from .config import HQ_HTTP_PORT, HTTP_PORTS, Settings  # noqa: E402
from .providers import migrate_before_start  # noqa: E402


def service_class(service: str):
    module = importlib.import_module(f"services.{service}.service")
    return module.Service


def nameko_config(service: str) -> dict:
    settings = Settings.load()
    return {
        "AMQP_URI": settings.amqp_uri,
        "WEB_SERVER_ADDRESS": os.environ.get(
            "WEB_SERVER_ADDRESS", f"127.0.0.1:{HTTP_PORTS.get(service, HQ_HTTP_PORT)}"
        ),
        "max_workers": int(os.environ.get("MAX_WORKERS", "10")),
        "parent_calls_tracked": 10,
    }


def _count_statements():
    """The SQL statements a service runs, by their text (the bench's --profile): which ones a visit repeats."""
    from collections import Counter

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    counts = Counter()

    @event.listens_for(Engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, _params, _context, _executemany):
        counts[" ".join(statement.split())] += 1

    return counts


def _time_collections() -> dict:
    """The garbage collector's passes and seconds by generation (the bench's --profile)."""
    import gc
    import time

    spent = {"collections": [0, 0, 0], "seconds": [0.0, 0.0, 0.0], "longest": [0.0, 0.0, 0.0]}
    started = [0.0]

    def timed(phase, info):
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            generation, seconds = info["generation"], time.perf_counter() - started[0]
            spent["collections"][generation] += 1
            spent["seconds"][generation] += seconds
            spent["longest"][generation] = max(spent["longest"][generation], seconds)

    gc.callbacks.append(timed)
    return spent


def _write_profile(profiler, statements, collections: dict, directory: str, service: str) -> None:
    import json

    profiler.dump_stats(os.path.join(directory, f"{service}.prof"))
    with open(os.path.join(directory, f"{service}.sql.tsv"), "w", encoding="utf-8") as out:
        out.writelines(f"{count}\t{statement}\n" for statement, count in statements.most_common())
    with open(os.path.join(directory, f"{service}.gc.json"), "w", encoding="utf-8") as out:
        json.dump(collections, out)


def main(argv: list[str]) -> None:
    runnable = (*names.SERVICES, names.HQ)  # the line's seven and the group HQ (services/hq)
    if len(argv) != 2 or argv[1] not in runnable:
        sys.exit(f"usage: python -m kit.serve {{{'|'.join(runnable)}}}")
    service = argv[1]
    # one JSON object a line with the correlation id (kit.logs); LOG_FORMAT=text for plain lines
    logs.configure(service, os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "json"))
    logging.getLogger("nameko").setLevel(logging.WARNING)
    if os.environ.get("PROFILE_DIR"):  # the benchmark's --profile: cProfile statistics written when it stops
        import atexit
        import cProfile
        import signal

        profiler, statements, collections = cProfile.Profile(), _count_statements(), _time_collections()

        def warmed_up(*_):  # the bench's warm-up is done: count from here
            profiler.clear(), statements.clear()
            collections.update(collections=[0, 0, 0], seconds=[0.0, 0.0, 0.0], longest=[0.0, 0.0, 0.0])

        atexit.register(lambda: _write_profile(profiler, statements, collections, os.environ["PROFILE_DIR"], service))
        signal.signal(signal.SIGUSR1, warmed_up)
        profiler.enable()
    cls, config = service_class(service), nameko_config(service)
    migrate_before_start(cls, config)
    i18n.translations(i18n.DEFAULT_LOCALE)  # the catalog compiled now, not in the first request that shows a message
    process.settle_collector()  # what it loaded to start is kept out of the collector's passes
    run([cls], config)


if __name__ == "__main__":
    main(sys.argv)
