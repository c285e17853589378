"""Worker processes for a study's replications and a report's charts.

Why not ``concurrent.futures.ProcessPoolExecutor``: its manager and queue-feeder threads
must be joined when Python exits, and after a worker is terminated mid-message (Ctrl-C,
SIGTERM, a failed task) they can wait forever on a pipe, so an interrupted ``govsim run``
(or a test session) could hang at exit.  Here the calling thread does everything: each
worker has its own pipe, the parent sends one task at a time and reads the answer, and a
dead worker shows as end-of-file, never as a wait.  Stopping early kills the workers; no
thread is left behind.
"""
from __future__ import annotations

import multiprocessing
import pickle
import signal
import sys
import traceback
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator, Optional


class WorkerDied(RuntimeError):
    """A worker process ended without answering (killed, or out of memory)."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker, shown as its cause."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


class WorkerPool:
    """``processes`` worker processes, each started with ``initializer(*initargs)``;
    :meth:`imap_unordered` runs tasks on them, one call at a time.  Use it as a context
    manager: leaving the block normally lets idle workers exit and kills those still busy
    with a task nobody will read; leaving it on an exception (or Ctrl-C) kills them all at
    once.  Workers are daemonic: a task cannot start processes of its own."""

    def __init__(self, processes: int, initializer: Optional[Callable] = None, initargs: tuple = (),
                 context: Optional[str] = None):
        ctx = multiprocessing.get_context(context)
        self._workers: list[tuple[Any, Connection]] = []
        self._running: dict[Connection, tuple[Any, int]] = {}  # worker -> (process, task index)
        try:
            for _ in range(max(1, processes)):
                ours, theirs = ctx.Pipe(duplex=True)
                proc = ctx.Process(target=_serve, args=(theirs, initializer, initargs), daemon=True)
                proc.start()
                theirs.close()  # only the worker holds its end: its death is an end-of-file here
                self._workers.append((proc, ours))
        except BaseException:
            self.kill()
            raise

    def imap_unordered(self, fn: Callable, arguments: Iterable[tuple]) -> Iterator[tuple[int, Any]]:
        """Run ``fn(*args)`` for each ``args`` of ``arguments``; yield ``(index, result)`` as
        each finishes.  An exception in a task is raised here, its remote traceback as the
        cause; a worker that ends without answering raises :class:`WorkerDied`."""
        if self._running:
            raise RuntimeError("a WorkerPool whose earlier tasks were left unread takes no more: use a new one")
        todo = list(enumerate(arguments))
        todo.reverse()  # pop() hands them out in order
        running = self._running

        def hand_out(proc, conn) -> None:
            index, args = todo.pop()
            running[conn] = (proc, index)
            try:
                conn.send((index, fn, args))
            except OSError:  # it died before reading its task
                proc.join(timeout=1)
                raise WorkerDied(f"a worker process stopped before taking its task "
                                 f"(exit code {proc.exitcode})") from None

        for proc, conn in self._workers:
            if todo:
                hand_out(proc, conn)
        while running:
            by_sentinel = {proc.sentinel: conn for conn, (proc, _) in running.items()}
            for ready in wait(list(running) + list(by_sentinel)):
                conn = by_sentinel.get(ready, ready)
                if conn not in running:
                    continue  # its answer and its end were both ready: already read
                proc, index = running[conn]
                try:
                    answered, ok, payload = conn.recv()
                except (EOFError, OSError):
                    proc.join(timeout=1)
                    raise WorkerDied(f"a worker process stopped without finishing its task "
                                     f"(exit code {proc.exitcode})") from None
                del running[conn]
                if not ok:
                    exc, text = payload
                    raise exc from RemoteTraceback(text)
                if todo:  # before the caller uses the answer: the worker is never idle
                    hand_out(proc, conn)
                yield answered, payload

    def close(self) -> None:
        """Let every idle worker finish and exit; kill those still running a task (the
        caller stopped reading: nobody wants its answer, which may not even fit the pipe)."""
        for proc, conn in self._workers:
            if conn in self._running:
                proc.kill()
                continue
            try:
                conn.send(None)
            except OSError:
                pass
        for proc, conn in self._workers:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
            conn.close()
        self._workers, self._running = [], {}

    def kill(self) -> None:
        """Stop every worker now (their tasks are dropped)."""
        for proc, conn in self._workers:
            if proc.is_alive():
                proc.kill()
        for proc, conn in self._workers:
            proc.join()
            conn.close()
        self._workers, self._running = [], {}

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.kill()


def default_context() -> Optional[str]:
    """Fork on Linux (a worker starts with the parent's imports, which ``gc.freeze`` then
    keeps out of the collector's way; Python 3.14 would otherwise use forkserver); the
    platform's default elsewhere (spawn on macOS and Windows, where fork is unsafe or absent)."""
    return "fork" if sys.platform.startswith("linux") else None


def _serve(conn: Connection, initializer: Optional[Callable], initargs: tuple) -> None:
    """A worker's loop: run the tasks it is sent until told to stop (``None``) or its parent
    is gone (killed outright, SIGKILL: a forked worker holds a copy of the parent's end of
    its pipe, so it would never see an end-of-file and would wait forever)."""
    # Ctrl-C reaches the whole process group: the parent decides and kills us.  SIGTERM
    # ends a worker at once, whatever handler the parent had installed before forking.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = multiprocessing.parent_process()
    if initializer is not None:
        initializer(*initargs)
    while True:
        if parent is not None and conn not in wait([conn, parent.sentinel]):
            return  # the parent is gone and sent nothing more
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, fn, args = task
        try:
            answer = (index, True, fn(*args))
        except BaseException as exc:  # sent to the parent, which raises it
            answer = (index, False, (_sendable(exc), traceback.format_exc()))
        try:
            conn.send(answer)
        except Exception as exc:  # an answer that cannot be pickled
            conn.send((index, False, (RuntimeError(f"a worker's answer could not be sent back: {exc!r}"),
                                      traceback.format_exc())))


def _sendable(exc: BaseException) -> BaseException:
    """``exc`` if the parent can rebuild it from a pickle, else a RuntimeError with its
    type and message (an exception whose constructor wants other arguments than it keeps
    would arrive as a TypeError about those arguments)."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
