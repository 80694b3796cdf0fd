"""A pre-imported parent for the line's service processes: each service forked from it instead of started anew.

A service process spends about 1.3 s of CPU importing eventlet, nameko, SQLAlchemy, marshmallow, kombu and its own
modules before it does anything; a test run starts some thirty lines of seven. The fork server is one process that
monkey-patches and imports all of that once (every service's module), then forks a child per request: the child
takes the request's environment, working directory and log file and runs `kit.serve.main` as `python -m kit.serve
<service>` would. Its hub, broker connections, database engines and logging are all made in the child; the fork
server's own socket and waits are the unpatched ones, and each child drops the hub the imports made and makes its
own (an epoll instance shared by siblings would hand one process's readiness events to another).

    python -m tools.forkserver <socket path>          # started by ForkServer.start()

`Line` forks through it when `LINE_FORKSERVER` names its socket (the tests' session does; `make run`, the bench and
the failure drill start plain processes). `ForkedProcess` is what `subprocess.Popen` is to `Line`: pid, poll, wait,
send_signal, kill. A child dies with the fork server (PR_SET_PDEATHSIG), and the fork server with its parent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SETTING = "LINE_FORKSERVER"
ROOT = Path(__file__).resolve().parent.parent
_PR_SET_PDEATHSIG = 1


# --- the client side (the test process) -------------------------------------------------------------------------


def _ask(path: str, request: dict) -> dict:
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(path)
        sock.sendall(json.dumps(request).encode() + b"\n")
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    reply = json.loads(answer or b"{}")
    if "error" in reply:
        raise RuntimeError(f"fork server: {reply['error']}")
    return reply


class ForkedProcess:
    """A service forked by the fork server, handled as `subprocess.Popen` handles its children."""

    def __init__(self, path: str, pid: int):
        self.path, self.pid, self.returncode = path, pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = _ask(self.path, {"poll": self.pid}).get("returncode")
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def spawn(argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> ForkedProcess | None:
    """The service forked by the fork server `LINE_FORKSERVER` names, or None without one."""
    path = os.environ.get(SETTING)
    if not path:
        return None
    reply = _ask(path, {"argv": argv, "env": env, "cwd": str(cwd), "log": str(log)})
    return ForkedProcess(path, reply["pid"])


class ForkServer:
    """The fork server as a child of this process (the tests' session); `LINE_FORKSERVER` set while it runs."""

    def __init__(self, socket_path: Path, log: Path):
        self.socket_path, self.log = Path(socket_path), Path(log)
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        self.socket_path.unlink(missing_ok=True)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tools.forkserver", str(self.socket_path)],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while not self.socket_path.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the fork server did not start; see {self.log}")
            time.sleep(0.05)
        os.environ[SETTING] = str(self.socket_path)

    def stop(self) -> None:
        os.environ.pop(SETTING, None)
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


# --- the fork server itself ---------------------------------------------------------------------------------------


def _preload() -> None:
    from kit import process

    process.prepare()  # as kit.serve starts a service process
    import importlib

    from contracts import names

    importlib.import_module("kit.serve")
    importlib.import_module("kit.i18n").translations("zh_CN")  # compiled once here, not in each child (kit.serve)
    for service in (*names.SERVICES, names.HQ):
        importlib.import_module(f"services.{service}.service")
    # each `service.py` is read again in the child (its imports stay loaded): its class body reads settings of the
    # child's environment, e.g. the timers' TEST_TIMER_SECONDS (kit.clock.timer_seconds)
    for service in (*names.SERVICES, names.HQ):
        del sys.modules[f"services.{service}.service"]


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the parent's stop() ends its children instead
        pass


def _child(request: dict, listener, conn) -> None:
    """In the forked child: become `python -m kit.serve <service>` with the request's environment; never returns."""
    from kit import process

    code = 1
    try:
        listener.close()
        conn.close()
        process.fresh_hub()
        _die_with_parent()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        import random

        random.seed()  # not the fork server's sequence
        sys.argv = list(request["argv"])
        from kit import serve

        serve.main(sys.argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - the child's traceback goes to its log, as a process's would
        import traceback

        traceback.print_exc()
    finally:
        import atexit

        atexit._run_exitfuncs()  # e.g. the bench's profile, written at exit
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(socket_path: str) -> None:
    _preload()
    import eventlet.patcher

    sock_module = eventlet.patcher.original("socket")
    select_module = eventlet.patcher.original("select")
    real_os = eventlet.patcher.original("os")
    parent = os.getppid()
    _die_with_parent()
    exits: dict[int, int] = {}
    children: set[int] = set()

    def reap() -> None:
        while children:
            try:
                pid, status = real_os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            children.discard(pid)
            exits[pid] = os.waitstatus_to_exitcode(status)

    listener = sock_module.socket(sock_module.AF_UNIX, sock_module.SOCK_STREAM)
    listener.bind(socket_path + ".tmp")
    os.rename(socket_path + ".tmp", socket_path)  # the socket appears once it is ready
    listener.listen(64)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        while not stopping and os.getppid() == parent:
            reap()
            ready, _, _ = select_module.select([listener], [], [], 0.5)
            if not ready:
                continue
            conn, _ = listener.accept()
            with conn:
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(1 << 20)
                    if not chunk:
                        break
                    data += chunk
                try:
                    request = json.loads(data)
                    if "poll" in request:
                        reap()
                        reply = {"returncode": exits.get(int(request["poll"]))}
                    else:
                        pid = os.fork()
                        if pid == 0:
                            _child(request, listener, conn)
                        children.add(pid)
                        reply = {"pid": pid}
                except Exception as exc:  # noqa: BLE001 - a bad request is answered, the server goes on
                    reply = {"error": f"{exc.__class__.__name__}: {exc}"}
                conn.sendall(json.dumps(reply).encode() + b"\n")
    finally:
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        listener.close()
        Path(socket_path).unlink(missing_ok=True)


if __name__ == "__main__":
    serve(sys.argv[1])
