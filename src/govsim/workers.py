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
import signal
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
    :meth:`imap_unordered` runs tasks on them.  Use it as a context manager: leaving the
    block normally lets the workers finish and exit, leaving it on an exception (or
    Ctrl-C) kills them at once."""

    def __init__(self, processes: int, initializer: Optional[Callable] = None, initargs: tuple = (),
                 context: Optional[str] = None):
        ctx = multiprocessing.get_context(context)
        self._workers: list[tuple[Any, Connection]] = []
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
        cause."""
        todo = list(enumerate(arguments))
        todo.reverse()  # pop() hands them out in order
        running: dict[Connection, tuple[Any, int]] = {}

        def hand_out(proc, conn) -> None:
            index, args = todo.pop()
            conn.send((index, fn, args))
            running[conn] = (proc, index)

        for proc, conn in self._workers:
            if todo:
                hand_out(proc, conn)
        while running:
            by_sentinel = {proc.sentinel: conn for conn, (proc, _) in running.items()}
            for ready in wait(list(running) + list(by_sentinel)):
                conn = by_sentinel.get(ready, ready)
                if conn not in running:
                    continue  # its answer and its end were both ready: already read
                proc, index = running.pop(conn)
                try:
                    answered, ok, payload = conn.recv()
                except (EOFError, OSError):
                    proc.join(timeout=1)
                    raise WorkerDied(f"a worker process stopped without finishing its task "
                                     f"(exit code {proc.exitcode})") from None
                if not ok:
                    exc, text = payload
                    raise exc from RemoteTraceback(text)
                if todo:  # before the caller uses the answer: the worker is never idle
                    hand_out(proc, conn)
                yield answered, payload

    def close(self) -> None:
        """Let every worker finish and exit."""
        for proc, conn in self._workers:
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
        self._workers = []

    def kill(self) -> None:
        """Stop every worker now (their tasks are dropped)."""
        for proc, conn in self._workers:
            if proc.is_alive():
                proc.kill()
        for proc, conn in self._workers:
            proc.join()
            conn.close()
        self._workers = []

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.kill()


def _serve(conn: Connection, initializer: Optional[Callable], initargs: tuple) -> None:
    """A worker's loop: run the tasks it is sent until told to stop (``None``) or its parent
    is gone."""
    # Ctrl-C reaches the whole process group: the parent decides and kills us.  SIGTERM
    # ends a worker at once, whatever handler the parent had installed before forking.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if initializer is not None:
        initializer(*initargs)
    while True:
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
            answer = (index, False, (exc, traceback.format_exc()))
        try:
            conn.send(answer)
        except Exception as exc:  # an answer that cannot be pickled
            conn.send((index, False, (RuntimeError(f"a worker's answer could not be sent back: {exc!r}"),
                                      traceback.format_exc())))
