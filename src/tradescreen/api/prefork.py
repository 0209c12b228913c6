"""`tradescreen serve --workers N`: workers forked from one warmed parent.

uvicorn's own multi-worker mode spawns fresh interpreters: each opened the index and built its
own heap (630-640 MB private per worker at 1.5 M entities). Here the parent binds the socket,
opens the index, screens a few queries so that the tables the first request would read are
loaded (the name model, the listed parties' clusters, rigour's name tagger), freezes its objects
(`gc.freeze`: no worker's collector writes to their pages) and forks the workers, which share
all of it copy-on-write. Each worker builds its own app (database connections, the audit
writer's thread, the reload watcher, the event loop: nothing of those crosses the fork) and runs
a uvicorn server on the inherited socket; the kernel hands each connection to one of them.
What a worker then holds privately (result caches, freed heap pages) is kept near its start
by `memory.Keeper`.

The parent supervises: a worker that exits is replaced (forked again from the same warmed
parent; it then loads a newer index itself if lists changed); a worker whose event loop has not
ticked for `health_timeout` seconds is killed and replaced (a worker busy with long requests
ticks between them: the timeout is generous, see cli/serve.py); SIGTERM or SIGINT stops the
workers gracefully; workers that keep dying as they start make the parent give up, non-zero.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import select
import signal
import socket
import sys
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from tradescreen.config import Settings, load_settings
from tradescreen.screen.party import Screener

log = logging.getLogger("uvicorn.error")

EARLY = 10.0  # seconds: a worker that dies sooner than this after its start died "at start"
GIVE_UP_AFTER = 5  # early deaths within `EARLY_WINDOW` after which the server gives up
EARLY_WINDOW = 60.0
STOP_GRACE = 60.0  # seconds the workers get to finish their requests on SIGTERM
_BEAT_EVERY = 10  # uvicorn ticks (0.1 s each) between two heartbeats
_KEEP_EVERY = 50  # uvicorn ticks between two looks at the worker's memory (memory.Keeper)
CACHE_BUDGET_MB = 64  # a worker's result caches may grow this much before they are emptied
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

# One query of each kind the API screens: the first screening of a schema loads its tables.
_WARM_QUERIES = (
    ("Person", "Vladimir Putin"),
    ("Company", "Rosneft Oil Company"),
    ("Organization", "Hamas"),
    ("Vessel", "Ocean Star"),
    ("LegalEntity", "Islamic Revolutionary Guard Corps"),
    ("Person", "ウラジーミル・プーチン"),  # rigour's name tagger: shared, not loaded per worker
)


def bind(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """The listening socket every worker accepts on (uvicorn's own options: reuse, backlog)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.setblocking(False)
    return sock


def warm_screener(settings: Settings) -> Screener | None:
    """The active snapshots' screener with its first-use tables loaded, or None when there is
    nothing to serve yet (no lists imported) or it cannot open: each worker then loads the
    index itself and reports why on /readyz, as a single worker does."""
    from tradescreen.api.reload import open_screener
    from tradescreen.match.entity import Query
    from tradescreen.screen.batch import warm_before_fork
    from tradescreen.store import open_store

    started = time.monotonic()
    try:
        with open_store(settings) as store:
            ids = tuple(sorted(s.id for s in store.active_snapshots()))
        if not ids:
            return None
        screener = open_screener(settings, ids)
        warm_before_fork(screener, [Query(name, schema) for schema, name in _WARM_QUERIES])
    except Exception as exc:  # the workers try again and say why on /readyz
        log.warning("the parent could not open the index (%s: %s); each worker loads its own",
                    type(exc).__name__, exc)
        return None
    log.info("index of %s opened and warmed in %.1f s; forking the workers",
             ", ".join(ids), time.monotonic() - started)
    return screener


@dataclass
class _Worker:
    pid: int
    beats: int  # read end of the worker's heartbeat pipe
    started: float = field(default_factory=time.monotonic)
    last_beat: float = field(default_factory=time.monotonic)


class Supervisor:
    """Forks `workers` processes running `uvicorn_options` on `sock`, and keeps them running."""

    def __init__(self, sock: socket.socket, workers: int, uvicorn_options: dict[str, Any],
                 *, screener: Screener | None, settings: Settings | None = None,
                 health_timeout: float = 120.0) -> None:
        self.sock = sock
        self.count = workers
        self.options = uvicorn_options
        self.screener = screener
        self.settings = settings or load_settings()
        self.health_timeout = health_timeout
        self.workers: dict[int, _Worker] = {}
        self.early: deque[float] = deque()
        self.stopping = 0  # stop signals received

    # -- parent ------------------------------------------------------------------------------

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT (0) or until workers keep dying as they start (1)."""
        previous = {sig: signal.signal(sig, self._on_stop) for sig in _STOP_SIGNALS}
        try:
            gc.collect()
            gc.freeze()  # what the parent holds now stays on shared pages in every worker
            for _ in range(self.count):
                self._spawn()
            status = self._watch()
            self._stop()
            return status
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_stop(self, sig: int, frame: object) -> None:
        self.stopping += 1

    def _watch(self) -> int:
        while not self.stopping:
            self._read_beats(timeout=0.5)
            self._reap()
            if self.stopping:
                break
            now = time.monotonic()
            while self.early and now - self.early[0] > EARLY_WINDOW:
                self.early.popleft()
            if len(self.early) >= GIVE_UP_AFTER:
                log.error("%d workers died at start within %.0f s: giving up", len(self.early),
                          EARLY_WINDOW)
                return 1
            for worker in list(self.workers.values()):
                if now - worker.last_beat > self.health_timeout:
                    log.error("worker %d did not answer for %.0f s: killing it", worker.pid,
                              now - worker.last_beat)
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(worker.pid, signal.SIGKILL)
            while len(self.workers) < self.count:
                self._spawn()
        return 0

    def _read_beats(self, timeout: float) -> None:
        fds = [w.beats for w in self.workers.values()]
        if not fds:
            time.sleep(timeout)
            return
        try:
            ready, _, _ = select.select(fds, [], [], timeout)
        except InterruptedError:
            return
        now = time.monotonic()
        for worker in self.workers.values():
            if worker.beats in ready:
                with contextlib.suppress(BlockingIOError):
                    os.read(worker.beats, 4096)
                worker.last_beat = now

    def _reap(self) -> list[tuple[_Worker, int]]:
        gone = []
        while self.workers:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            worker = self.workers.pop(pid, None)
            if worker is None:
                continue
            os.close(worker.beats)
            gone.append((worker, status))
            if self.stopping:
                continue
            lived = time.monotonic() - worker.started
            log.error("worker %d died (%s) after %.1f s; starting another", pid,
                      _describe(status), lived)
            if lived < EARLY:
                self.early.append(time.monotonic())
                time.sleep(min(1.0, EARLY - lived))  # no busy loop of failing starts
        return gone

    def _stop(self) -> None:
        for worker in self.workers.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        forced = self.stopping
        while self.workers:
            if time.monotonic() > deadline or self.stopping > forced:
                # A second signal (or the grace) ends what is still running.
                for worker in self.workers.values():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(worker.pid, signal.SIGKILL)
                forced = self.stopping + 10**6
            self._reap()
            if self.workers:
                time.sleep(0.05)
        self.sock.close()

    def _spawn(self) -> None:
        beats, beat = os.pipe()
        os.set_blocking(beats, False)
        os.set_blocking(beat, False)
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            os.close(beats)
            for other in self.workers.values():
                os.close(other.beats)
            _run_worker(self.sock, beat, self.screener, self.settings, self.options)
        os.close(beat)
        self.workers[pid] = _Worker(pid, beats)
        log.info("started worker %d", pid)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


def _run_worker(sock: socket.socket, beat: int, screener: Screener | None, settings: Settings,
                options: dict[str, Any]) -> None:
    """A forked worker: its own app and event loop on the inherited socket; exits the process."""
    code = 1
    parent = os.getppid()
    try:
        # uvicorn installs its own handlers while it serves; a stop signal that comes before
        # (the parent stopping while this worker starts) is kept and honoured at the first
        # tick, and one uvicorn re-raises after serving must not kill the process.
        stop_asked: list[int] = []
        for sig in _STOP_SIGNALS:
            signal.signal(sig, lambda sig, frame: stop_asked.append(sig))
        import uvicorn

        from tradescreen.api.app import AUDIT_SPOOL, create_app
        from tradescreen.cases.audit import open_sink

        app = create_app(settings, sink=open_sink(settings), screener=screener, watch=True,
                         audit_spool=settings.home / AUDIT_SPOOL)

        from tradescreen.memory import Keeper
        from tradescreen.screen.batch import clear_result_caches

        keeper = Keeper(CACHE_BUDGET_MB, clear_result_caches)
        served = [0]

        class Worker(uvicorn.Server):
            async def on_tick(self, counter: int) -> bool:
                if stop_asked:
                    self.should_exit = True
                if counter % _KEEP_EVERY == 0:
                    total = self.server_state.total_requests
                    busy, served[0] = total != served[0], total
                    await asyncio.to_thread(keeper.tick, busy)
                if counter % _BEAT_EVERY == 0:
                    if os.getppid() != parent:  # the supervisor is gone: stop, not orphaned
                        self.should_exit = True
                    with contextlib.suppress(BlockingIOError, BrokenPipeError):
                        os.write(beat, b".")
                return await super().on_tick(counter)

        Worker(uvicorn.Config(app, **options)).run(sockets=[sock])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
