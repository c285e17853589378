"""The worker processes of a study: answers, failures and stops leave nothing behind
(no process, no thread that Python must join at exit)."""
from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from govsim.workers import RemoteTraceback, WorkerDied, WorkerPool


def square(x):
    return x * x


def fail_on(x, bad):
    if x == bad:
        raise ValueError(f"task {x} failed")
    return x


def die(x):
    if x == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return x


def sleep_then(x):
    time.sleep(x)
    return x


def nothing_left(threads_before: int) -> bool:
    return multiprocessing.active_children() == [] and threading.active_count() == threads_before


def test_every_task_is_answered_once_with_its_index():
    threads = threading.active_count()
    with WorkerPool(2) as pool:
        answers = dict(pool.imap_unordered(square, [(x,) for x in range(20)]))
    assert answers == {i: i * i for i in range(20)}
    assert nothing_left(threads)


def test_an_exception_in_a_task_is_raised_with_the_workers_traceback():
    threads = threading.active_count()
    with pytest.raises(ValueError, match="task 3 failed") as caught:
        with WorkerPool(2) as pool:
            list(pool.imap_unordered(fail_on, [(x, 3) for x in range(8)]))
    assert isinstance(caught.value.__cause__, RemoteTraceback)
    assert "fail_on" in str(caught.value.__cause__)
    assert nothing_left(threads)


def test_a_worker_killed_mid_task_is_an_error_not_a_wait():
    threads = threading.active_count()
    with pytest.raises(WorkerDied, match="exit code -9"):
        with WorkerPool(2) as pool:
            list(pool.imap_unordered(die, [(x,) for x in range(4)]))
    assert nothing_left(threads)


def test_leaving_early_kills_the_busy_workers_at_once():
    threads = threading.active_count()
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        with WorkerPool(2) as pool:
            for _ in pool.imap_unordered(sleep_then, [(0.0,), (60.0,), (60.0,)]):
                raise KeyboardInterrupt  # as Ctrl-C would, with two tasks still running
    assert time.perf_counter() - t0 < 30
    assert nothing_left(threads)


def big_after(x):
    time.sleep(x)
    return b"x" * 10_000_000  # more than a pipe holds: a worker blocks sending it until read


def test_stopping_to_read_early_kills_the_busy_workers_at_once():
    """A caller that breaks out of the loop and leaves the block normally: the workers still
    running a task (one blocked sending an answer bigger than the pipe) are killed, not
    waited for, and the pool takes no more tasks before then."""
    threads = threading.active_count()
    t0 = time.perf_counter()
    with WorkerPool(3) as pool:
        for _ in pool.imap_unordered(big_after, [(0.0,), (0.2,), (30.0,), (30.0,)]):
            break
        with pytest.raises(RuntimeError, match="left unread"):
            next(pool.imap_unordered(square, [(1,)]))
    assert time.perf_counter() - t0 < 5
    assert nothing_left(threads)


class NeedsTwoArguments(Exception):
    def __init__(self, what, where):
        super().__init__(f"{what} at {where}")


def raise_needs_two(x):
    raise NeedsTwoArguments("bad value", "line 3")


def test_an_exception_the_parent_cannot_rebuild_keeps_its_message():
    """Not a TypeError about __init__'s arguments: a RuntimeError naming the exception, or
    the exception itself where exceptions pickle whole (Dask's tblib, once imported in the
    process, makes them so)."""
    with pytest.raises((RuntimeError, NeedsTwoArguments), match="bad value at line 3") as caught:
        with WorkerPool(1) as pool:
            list(pool.imap_unordered(raise_needs_two, [(1,)]))
    assert isinstance(caught.value, NeedsTwoArguments) or "NeedsTwoArguments: " in str(caught.value)


def test_workers_of_a_parent_killed_outright_exit():
    """SIGKILL to the parent (the OOM killer, kill -9): its idle workers notice and exit
    instead of waiting forever on a pipe whose other end they hold themselves."""
    script = textwrap.dedent("""\
        import os, signal, sys
        from govsim.workers import WorkerPool
        pool = WorkerPool(2)
        print(" ".join(str(p.pid) for p, _ in pool._workers), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    pids = [int(x) for x in proc.stdout.split()]
    assert proc.returncode == -signal.SIGKILL and len(pids) == 2
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_workers_ignore_the_parents_sigterm_handler_and_ctrl_c():
    """A worker forked from a process whose SIGTERM raises KeyboardInterrupt still dies on
    SIGTERM, and leaves Ctrl-C (SIGINT) to its parent."""
    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        with WorkerPool(1) as pool:
            assert dict(pool.imap_unordered(handlers, [()])) == {0: ("SIG_IGN", "SIG_DFL")}
    finally:
        signal.signal(signal.SIGTERM, previous)


def handlers():
    return signal.getsignal(signal.SIGINT).name, signal.getsignal(signal.SIGTERM).name


def test_a_run_interrupted_mid_study_exits_promptly(tmp_path):
    """SIGTERM to a `govsim run` with two workers (the path that once hung at exit): the
    process ends within seconds, writes no results and leaves no worker behind."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(textwrap.dedent("""\
        name: long
        model: network
        run: {replications: 200, seed: 1, horizon_min: 200000, warmup_min: 0}
        params:
          classes:
            citizen: {arrivals: {dist: exponential, mean: 0.25}, route: [window]}
          stations:
            window: {servers: 5, service: {dist: exponential, mean: 1.0}}
        policies: {base: {}}
        """))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "govsim", "run", str(scenario), "--out", str(out), "-j", "2", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(4)  # started, imports done, workers busy
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("govsim run did not exit within 30 s of SIGTERM")
    assert proc.returncode == 143 and b"Traceback" not in err, err  # 128 + SIGTERM, as a shell reports it
    assert b"Interrupted: no results written." in err
    # the hint says --resume only where a finished replication was saved for it
    saved = [p for p in (tmp_path / ".out.resume").glob("*.json") if p.name != "manifest.json"]
    assert (b"--resume continues" in err) == bool(saved) and (b"nothing to resume" in err) == (not saved), err
    assert not (out / "replications.csv").exists()
    time.sleep(0.5)  # orphans, if any, are reparented and would still be in the group
    with pytest.raises(ProcessLookupError):  # no process left in the run's process group
        os.killpg(proc.pid, 0)
