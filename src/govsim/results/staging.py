"""The one owner of writing into a results folder: all at once or not at all.

Whatever govsim writes goes first into a hidden folder (beside the results folder for
a whole run, inside it for a rebuilt report) and is moved into place only when it is
complete, so an interrupted or failed run never leaves a half-written folder.  A
folder that govsim did not write (no ``metadata.json`` with ``govsim_version``) is
never replaced: ``--out ~`` must not wipe a home; one it did write is replaced only
when asked (``replace``, the command's ``--force``): a quick rerun must not wipe a study.
"""
from __future__ import annotations

import ctypes
import errno
import glob
import json
import os
import re
import shutil
import socket
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import FolderHoldsResults, ResultsError
from ..labels import LANGS  # the report's languages: figures/<lang> holds a report's own charts

WRITTEN: list[Path] = []  # results folders this process has put in place (an interruption after says so)
MARKER = "govsim_version"  # a key of metadata.json: proves a folder is ours to replace
METADATA = "metadata.json"


def is_ours(folder: Path) -> bool:
    """A folder holding govsim's metadata.json."""
    try:
        meta = json.loads((Path(folder) / METADATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and MARKER in meta


def check_output_folder(out: Path, replace: bool = False) -> None:
    """Refuse a destination that is a file, a folder with contents govsim did not write,
    or (unless ``replace``) one that holds earlier results."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ResultsError(f"{out}: exists and is not a folder; choose another --out")
    where = Path(os.path.abspath(out))
    if where == Path.cwd() or where in Path.cwd().parents:  # it is replaced whole, with whatever is in it
        raise ResultsError(f"{out}: the folder you are in (or one around it) cannot take the results; "
                           "name a folder for them, say --out results/study")
    base = next(p for p in where.parents if p.exists())  # where the results are staged and renamed
    if not base.is_dir():
        raise ResultsError(f"{out}: cannot be made, {base} is a file; choose another --out")
    if not os.access(base, os.W_OK | os.X_OK):
        raise ResultsError(f"{out}: cannot write in {base}; choose another --out")
    if out.is_dir() and any(out.iterdir()):
        if not is_ours(out):
            raise ResultsError(f"{out}: folder exists and is not a govsim results folder; choose another --out")
        if not replace:
            raise FolderHoldsResults(out)
        written = _written(out)
        theirs = sorted(set(os.listdir(out)) - written)
        theirs += [f"{name}/{sub}" for name in sorted(written) for sub in not_written_in(out / name)]
        if theirs:  # --force replaces govsim's results, never a reader's notes beside or among them
            more = f" and {len(theirs) - 1} more" if len(theirs) > 1 else ""
            raise ResultsError(f"{out}: holds '{theirs[0]}'{more}, which govsim did not write; --force replaces "
                               "only govsim's results: move it out or choose another --out")


# what a results folder written before metadata.json listed its files may hold
EARLIER_NAMES = frozenset({METADATA, "summary.csv", "replications.csv", "comparison.csv", "baselines.csv",
                           "sensitivity.csv", "decomposition.csv", "events.csv", "scenario.yaml",
                           "scenario.resolved.yaml", "report.html", "figures", "optimize.csv", "optimize.png",
                           "warmup.png", "compare.csv", "compare.png"})
FILES = "files"  # a key of metadata.json: the entries govsim wrote into the folder
SYSTEM_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})  # a file browser's, remade at will
PARTIAL_MARK = ".govsim-partial"  # in a folder being written: the host writing it (for _remove_leftovers)


def _written(folder: Path) -> set:
    """The entries of ``folder`` that --force may replace: those metadata.json lists (else
    the names govsim writes), a report rebuilt in another language (``report.zh.html``), a
    file browser's own files, and govsim's hidden leftovers (``.staged.partial-N``)."""
    try:
        listed = json.loads((Path(folder) / METADATA).read_text(encoding="utf-8")).get(FILES)
    except (OSError, ValueError, AttributeError):
        listed = None
    names = set(listed) | {METADATA} if isinstance(listed, list) else set(EARLIER_NAMES)
    return names | SYSTEM_FILES | {n for n in os.listdir(folder) if LEFTOVER.match(n) or REPORT_IN.match(n)}


WRITTEN_HERE = ".govsim-files"  # in a folder inside the results (figures/): the entries govsim wrote there


def list_written_here(folder: Path) -> None:
    """Name in ``folder/.govsim-files`` every entry govsim wrote into ``folder`` (a folder
    inside the results, such as figures/): a later --force or report then knows a reader's
    own file there (an annotated copy of a chart) and stops rather than delete it."""
    folder = Path(folder)
    names = sorted(n for n in os.listdir(folder)  # a report's folder inside (figures/zh) keeps its own list
                   if n != WRITTEN_HERE and not (n in LANGS and (folder / n / WRITTEN_HERE).is_file()))
    (folder / WRITTEN_HERE).write_text("".join(f"{n}\n" for n in names), encoding="utf-8")


def not_written_in(folder: Path) -> list[str]:
    """Entries under ``folder`` (paths relative to it) that govsim did not write, by the
    lists its folders keep; a folder without one (written before they were kept, or a file)
    is govsim's whole."""
    try:
        listed = set((Path(folder) / WRITTEN_HERE).read_text(encoding="utf-8").splitlines())
    except OSError:
        return []
    out = []
    for name in sorted(os.listdir(folder)):
        if name == WRITTEN_HERE or name in SYSTEM_FILES:
            continue
        inner = Path(folder) / name
        # figures/zh: a report's own, in another language (a reader's copy of it, figures/zh-mine, is not)
        if inner.is_dir() and (name in listed or (name in LANGS and (inner / WRITTEN_HERE).is_file())):
            out += [f"{name}/{sub}" for sub in not_written_in(inner)]
        elif name not in listed:
            out.append(name)
    return out


LEFTOVER = re.compile(r"^\..+\.(partial|old)-\d+$")
REPORT_IN = re.compile(r"^report\.[A-Za-z-]+\.html$")  # govsim report --lang zh: report.zh.html


@contextmanager
def staged_folder(out: Path, replace: bool = False) -> Iterator[Path]:
    """An empty hidden folder beside ``out`` to write a whole results folder into.  When
    the block ends without an error it takes the place of ``out`` (earlier results there
    only when ``replace``); on any error it is removed and ``out`` is left as it was."""
    out = Path(out)
    check_output_folder(out, replace)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = _hidden(out, "partial")
    _remove_leftovers(out.parent, f".{out.name}.")  # of runs killed while writing (SIGKILL, power cut)
    tmp.mkdir()
    (tmp / PARTIAL_MARK).write_text(socket.gethostname(), encoding="utf-8")
    try:
        yield tmp
        (tmp / PARTIAL_MARK).unlink()
        _list_files(tmp)
        check_output_folder(out, replace)  # nobody put a folder there while we ran
        _move_into_place(tmp, out)
        WRITTEN.append(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _list_files(folder: Path) -> None:
    """Name in metadata.json every entry govsim wrote into the staged ``folder``: a later
    --force then knows what is its own to replace.  (A report rebuilt in another language,
    ``report.<lang>.html`` beside it, leaves metadata.json as the run wrote it: its name
    says whose it is.)"""
    path = Path(folder) / METADATA
    if path.is_file():
        meta = json.loads(path.read_text(encoding="utf-8"))
        meta[FILES] = sorted(os.listdir(folder))
        path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_folder(out: Path, replace: bool, write, meta: dict) -> None:
    """A small results folder all at once (``govsim compare``, ``optimize``, ``warmup``):
    ``write(folder)`` fills the staged folder, metadata.json (``meta`` with govsim's
    version) marks it govsim's."""
    from .. import __version__

    with staged_folder(out, replace=replace) as tmp:
        write(tmp)
        (tmp / METADATA).write_text(json.dumps({MARKER: __version__, **meta}, indent=2, ensure_ascii=False) + "\n",
                                    encoding="utf-8")


@contextmanager
def staged_entries(folder: Path, names: tuple[str, ...]) -> Iterator[Path]:
    """An empty hidden folder inside the results folder ``folder`` to write some of its
    entries into (say ``figures`` and ``report.html``).  When the block ends without an
    error each of ``names`` written there replaces its namesake in ``folder``."""
    folder = Path(folder)
    if not is_ours(folder):
        raise ResultsError(f"{folder}: not a govsim results folder; nothing written")
    _refuse_readers_files(folder, names)
    tmp = folder / f".staged.partial-{os.getpid()}"
    _remove_leftovers(folder, ".staged.")
    tmp.mkdir()
    (tmp / PARTIAL_MARK).write_text(socket.gethostname(), encoding="utf-8")
    try:
        yield tmp
        _refuse_readers_files(folder, names)  # nobody put one there while we drew
        for name in names:
            if (tmp / name).exists():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)  # figures/ for figures/zh
                _move_into_place(tmp / name, folder / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _refuse_readers_files(folder: Path, names: tuple[str, ...]) -> None:
    """Entries ``names`` of ``folder`` are replaced whole: not while they hold a reader's file."""
    theirs = [f"{name}/{sub}" for name in names for sub in not_written_in(folder / name)]
    if theirs:
        more = f" and {len(theirs) - 1} more" if len(theirs) > 1 else ""
        raise ResultsError(f"{folder}: holds '{theirs[0]}'{more}, which govsim did not write; the report replaces "
                           f"{names[0]}/ whole: move it out first")


def _hidden(path: Path, what: str) -> Path:
    return path.parent / f".{path.name}.{what}-{os.getpid()}"


def _remove_leftovers(parent: Path, prefix: str) -> None:
    """Remove ``prefix`` + ``partial-PID`` or ``old-PID`` folders in ``parent`` that govsim
    left on this host (a partial folder holds PARTIAL_MARK naming the host; an old one is a
    results folder) and whose process no longer runs (killed while writing), and our own from
    before.  A live process's, another host's and anything else are left alone."""
    host = socket.gethostname()
    for entry in parent.glob(f"{glob.escape(prefix)}*-*"):
        what, _, pid = entry.name[len(prefix):].rpartition("-")
        if what not in ("partial", "old") or not pid.isdigit() or not entry.is_dir():
            continue
        if what == "partial":
            try:
                ours = (entry / PARTIAL_MARK).read_text(encoding="utf-8") == host
            except OSError:
                ours = False
        else:
            ours = is_ours(entry)
        if ours and (int(pid) == os.getpid() or not process_alive(int(pid))):
            shutil.rmtree(entry, ignore_errors=True)


def process_alive(pid: int) -> bool:
    """A process of this host that still runs (a killed one not yet reaped by its parent,
    a zombie, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    try:  # Linux: the state after the command's closing parenthesis
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _move_into_place(new: Path, dest: Path) -> None:
    """``new`` takes ``dest``'s name in one step where the system allows it."""
    if not (new.is_dir() and dest.exists()):
        os.replace(new, dest)  # a file, or a folder onto a free name: one rename
        return
    if _exchange(new, dest):  # the two folders swap names at once; the old one is now at ``new``
        shutil.rmtree(new, ignore_errors=True)
        return
    # elsewhere: the old folder steps aside, the new one steps in, and back on failure
    old = _hidden(dest, "old")
    shutil.rmtree(old, ignore_errors=True)
    dest.rename(old)
    try:
        new.rename(dest)
    except BaseException:
        old.rename(dest)
        raise
    shutil.rmtree(old, ignore_errors=True)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 with RENAME_EXCHANGE); False where the
    system or the file system cannot, so the caller falls back."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a libc without it (musl, glibc < 2.28)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))
