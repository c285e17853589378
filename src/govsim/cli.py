"""The ``govsim`` command: parses arguments and calls the library, nothing more."""
from __future__ import annotations

import functools
import json
import math
import re
import shlex
import signal
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.cells import cell_len
from rich.markup import escape
from rich.text import Text

from . import __version__
from .errors import ResultsError, ScenarioError, ScenarioErrors
from .report.i18n import t as tr

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="govsim: compare policies for government-service processes by discrete-event simulation.",
    pretty_exceptions_enable=False,
)
out_console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

BAD_INPUT = 2


def _progress(quiet: bool, transient: bool = False):
    """The progress bar of a run (rich.progress and rich.table are imported by the commands
    that show them, not by every start of govsim); ``transient``: gone when done (a search's
    bar shows the candidate in hand, and its answer takes the bar's place)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.table import Column

    # a long description wraps rather than squeeze the counts and times to "1…" in 80 columns
    return Progress(TextColumn("[bold]{task.description}", table_column=Column(ratio=1, overflow="fold")),
                    BarColumn(bar_width=16), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                    console=err_console, disable=quiet, transient=transient)


def _table(**options):
    from rich.table import Table

    return Table(**options)


def _fail(lines: list[str]) -> None:
    for line in lines:
        err_console.print(line, markup=False)
    raise typer.Exit(BAD_INPUT)


@contextmanager
def _cluster_reached(progress=None):
    """A study on ``--scheduler``: an address with no scheduler is one line and exit 2."""
    from .experiment import SchedulerUnreachable

    try:
        yield
    except SchedulerUnreachable as exc:
        if progress is not None:
            progress.stop()
        _fail([str(exc)])


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is (workers killed, nothing written), exit code 143."""


def _interrupted(signum, frame):
    raise _Terminated


def _flag(*decls: str, **kwargs):
    """An on/off option: shown in --help without the ``<bool>`` click puts after a flag
    (it reads as if the flag took a value, and ``--resume true`` fails)."""
    return typer.Option(False, *decls, metavar="", **kwargs)


def _interruptible(resumable: bool):
    """While the command runs, SIGTERM stops it as Ctrl-C does (workers killed, nothing
    written), and either ends with one line saying so and the usual exit code (130 for
    Ctrl-C, 143 for SIGTERM); then the SIGTERM handler before it is back (a program that
    called us keeps its own).  A results folder that turns out unwritable part-way is one
    line and exit 2."""

    def decorate(command):
        @functools.wraps(command)
        def wrapped(*args, **kwargs):
            from .checkpoint import Checkpoint
            from .results.staging import WRITTEN

            previous = signal.signal(signal.SIGTERM, _interrupted) or signal.SIG_DFL  # None: set outside Python
            Checkpoint.last_opened = None
            WRITTEN.clear()
            try:
                return command(*args, **kwargs)
            except KeyboardInterrupt as exc:
                if WRITTEN:  # while the terminal summary was printed: the results are whole
                    err_console.print(f"Interrupted after the results were written to {WRITTEN[-1]} (they are "
                                      "complete).", soft_wrap=True, markup=False)
                    raise typer.Exit(143 if isinstance(exc, _Terminated) else 130) from None
                saved = Checkpoint.last_opened.done() if Checkpoint.last_opened is not None else 0
                hint = ("" if not resumable else
                        " The replications finished so far are saved: the same command with --resume continues."
                        if saved else " No replication had finished: nothing to resume.")
                err_console.print(f"Interrupted: no results written.{hint}", soft_wrap=True, markup=False)
                raise typer.Exit(143 if isinstance(exc, _Terminated) else 130) from None
            except ResultsError as exc:  # the output folder, found wanting part-way: one line, never a traceback
                _fail([str(exc)])
            finally:
                signal.signal(signal.SIGTERM, previous)

        return wrapped

    return decorate


def _version(value: bool):
    if value:
        out_console.print(f"govsim {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = _flag("--version", callback=_version, is_eager=True,
                                      help="Print the version and exit.")):
    pass


@app.command()
@_interruptible(resumable=True)
def run(
    file: Path = typer.Argument(..., help="Scenario file (YAML).", show_default=False),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Results folder \\[default: results/<scenario name>]."),
    replications: Optional[str] = typer.Option(None, "--replications", "-r", help="Replications per policy (overrides "
                                               "the file), or 'auto': until every key metric is within --precision."),
    precision: Optional[float] = typer.Option(None, "--precision", help="With -r auto: the relative half-width of "
                                              "every key metric's 95% interval to reach \\[default: 0.05]."),
    max_replications: Optional[int] = typer.Option(None, "--max-replications", help="With -r auto: stop here at the "
                                                   "latest \\[default: 200]."),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", help="Base seed (overrides the file)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes \\[default: all cores]."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Run on a Dask cluster: its scheduler address "
                                            "(tcp://host:8786), or 'local' for one on this machine with --jobs workers."),
    sweep: Optional[List[str]] = typer.Option(None, "--sweep", help="PATH=LO..HI or PATH=a,b,c: the policies become a "
                                              "sweep on the baseline (or the one --policy), crossed over several; "
                                              "each input once."),
    resume: bool = _flag("--resume", help="Continue an interrupted run into the same --out, "
                                "recomputing nothing it finished."),
    policy: Optional[List[str]] = typer.Option(None, "--policy", "-p", help="Run only this policy (repeatable); the baseline is always run."),
    quiet: bool = _flag("--quiet", "-q", help="No progress bar or table."),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help="Language of report.html and the figures: en or zh "
                                       "\\[default: the scenario's lang, else en]."),
    force: bool = _flag("--force", help="Replace the results of an earlier run in the output folder "
                               "(without it, such a folder is left untouched and the run refused)."),
    trace: bool = _flag("--trace", help="Also write events.csv: every event of every case, "
                               "for process-mining tools (pm4py, ProM, Disco)."),
):
    """Run every policy of a scenario and write tables, figures and report.html."""
    from .checkpoint import fingerprint
    from .events import events_frame
    from .experiment import default_jobs, run_decomposition, run_experiment
    from .precision import next_round, run_until_precise
    from .report.fonts import FontMissing, require_cjk_font
    from .results import write_results
    from .sweep import from_cli

    auto = replications == "auto"
    reps_given = None if replications is None or auto else _whole(replications, "--replications")
    if auto and trace:
        _fail(["--trace goes with a fixed number of replications, not -r auto"])
    for flag, given in (("--precision", precision), ("--max-replications", max_replications)):
        if given is not None and not auto:
            _fail([f"{flag} goes with --replications auto (got -r {replications or 'from the file'})"])
    precision = 0.05 if precision is None else precision
    max_replications = 200 if max_replications is None else max_replications
    if auto and not 0 < precision < 1:
        _fail([f"--precision: a relative half-width between 0 and 1 (got {precision})"])
    if auto and max_replications < 2:
        _fail([f"--max-replications: at least 2, for a 95% interval (got {max_replications})"])
    scenario = _load(file, replications=reps_given, seed=seed)
    _check_scheduler(scheduler)
    if sweep and policy and len(policy) > 1:  # a sweep replaces the policies: it is built on one
        _fail([f"--sweep is built on one policy (the baseline, or the one --policy): got "
               f"{' '.join('-p ' + p for p in policy)}; run one sweep per policy"])
    if sweep:
        specs = []
        for spec in sweep:
            try:
                specs.append(from_cli(spec))
            except ValueError as exc:
                _fail([str(exc)])
        try:
            scenario = scenario.with_sweeps(specs, on=(policy or [None])[0])
        except ScenarioErrors as exc:
            _fail([e.one_line() for e in exc.errors])
        policy = None
    policies = _select_policies(scenario, policy or [])
    _at_least("--jobs", jobs, 1)
    _check_lang(lang)
    lang = lang or scenario.lang or "en"
    if lang == "zh":  # before hours of simulation, not after
        try:
            require_cjk_font()
        except FontMissing as exc:
            _fail([str(exc)])
    out = out if out is not None else Path("results") / scenario.name
    replace, checkpoint = _open_output(out, force, resume, fingerprint(scenario, scenario.resolved))
    warnings = _policy_warnings(scenario, policies, lang)  # before the run: a planner may stop it and fix the file

    jobs = jobs or default_jobs()
    decompose = scenario.decomposition is not None and {scenario.decomposition.from_, scenario.decomposition.to} <= set(policies)
    extra, auto_info = {}, None
    per_rep = len(policies) + (len(scenario.decompose_resolved) if decompose else 0)
    # -r auto: the bar grows round by round (its end is not known before the rule is met)
    total = (next_round(0, max_replications) if auto else scenario.run.replications) * per_rep
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    with _progress(quiet) as progress:
        reps_text = "auto" if auto else scenario.run.replications
        if lang == "en":  # "1 policy × 1 replication"
            reps_text = f"{reps_text} replications" if auto else _count(reps_text, "replication")
        task = progress.add_task(tr("cli_progress", lang, name=scenario.name, policies=_count(len(policies), "policy")
                                   if lang == "en" else len(policies), reps=reps_text), total=total)
        advance = lambda: progress.advance(task)  # noqa: E731
        try:
            if auto:
                reps, verdict, n = run_until_precise(
                    scenario, policies, precision, max_replications, jobs, on_done=advance, scheduler=scheduler,
                    checkpoint=checkpoint, on_round=lambda reps_now: progress.update(task, total=reps_now * per_rep))
                scenario = scenario.with_run(replications=n)
                auto_info = {"precision": precision, "target": verdict.target, "replications": n,
                             "worst_metric": verdict.worst_metric, "worst": verdict.worst, "reached": verdict.enough,
                             "max_replications": max_replications}
            else:
                reps = run_experiment(scenario, policies, jobs, on_done=advance, scheduler=scheduler, trace=trace,
                                      checkpoint=checkpoint)
            if decompose:
                table = reps[0] if trace else reps
                extra["decomposition.csv"] = run_decomposition(scenario, table, jobs, on_done=advance,
                                                               scheduler=scheduler)
        except (OSError, TimeoutError) as exc:
            if scheduler is None:
                raise
            progress.stop()
            from .experiment import SchedulerUnreachable

            _fail([str(exc) if isinstance(exc, SchedulerUnreachable)
                   else f"--scheduler: cannot reach the Dask scheduler '{scheduler}' ({exc})"])
    run_info = {
        "command": _command_line(file, out, replications, seed, jobs, policy or [], quiet, lang, scheduler, trace,
                                 force) + "".join(f" --sweep {shlex.quote(x)}" for x in sweep or []) + (
            f" --precision {precision:g} --max-replications {max_replications}" if auto else "") + (
            " --resume" if resume else ""),
        "jobs": jobs,
        "started_utc": started.isoformat(timespec="seconds"),
        "run_time_s": round(time.perf_counter() - t0, 3),
    }
    if checkpoint.reused:  # run_time_s is this run's: the reused tasks ran in an earlier one
        run_info["resumed"] = {"tasks_reused": checkpoint.reused}
    if auto_info:
        run_info["replications_auto"] = auto_info
    if warnings[lang]:
        run_info["warnings"] = warnings  # in every language: a report may be rebuilt in another
    events = None
    if trace:
        reps, raw = reps
        events = events_frame(scenario.model, {p: scenario.resolved[p] for p in policies}, raw)
    try:
        tables = write_results(out, scenario, reps, policies, run_info, lang=lang, events=events,
                               replace=replace, extra=extra)
    except ResultsError as exc:  # someone wrote there while we ran
        _fail([str(exc)])
    checkpoint.finish()
    _warn_of_unread_sweeps(scenario, reps, "--sweep" if sweep else "sweep")
    if auto_info and not auto_info["reached"]:  # a warning: shown even with --quiet
        err_console.print(_auto_text(auto_info, scenario, lang), soft_wrap=True, markup=False)
    elif auto_info and not quiet:
        out_console.print(_auto_text(auto_info, scenario, lang), soft_wrap=True, markup=False)
    if not quiet:
        names = _display_names(scenario)
        _print_summary(scenario, tables["summary"], policies, lang, names)
        if tables["baselines"] is not None:
            _print_baselines(tables["baselines"], scenario.model, lang, names)
        out_console.print(tr("cli_written", lang, out=escape(str(out)), report=escape(str(out / "report.html"))),
                          soft_wrap=True)


def _policy_warnings(scenario, policies: list[str], lang: str) -> dict[str, list[str]]:
    """The model's warnings about each policy's params (``Model.warnings``), on stderr in
    ``lang`` even with --quiet; returned in every language for metadata.json."""
    from .labels import LANGS

    out = {lg: [tr("cli_policy_warning", lg, policy=p, warning=w) for p in policies
                for w in scenario.model.warnings(scenario.resolved[p], scenario.run, lg)] for lg in LANGS}
    for line in out[lang]:
        err_console.print(tr("cli_warning", lang, line=line), markup=False, soft_wrap=True)
    return out


def _warn_of_unread_sweeps(scenario, reps, where: str) -> None:
    """A swept input whose every value gave identical results: on common random numbers the
    policy does not read it, and a flat answer must not pass for one (shown even with -q)."""
    from .sweep import no_effect_warning, without_effect

    for s in without_effect(scenario.sweeps, scenario.swept, reps):
        err_console.print(no_effect_warning(where, s.path, scenario.swept_on), soft_wrap=True, markup=False)


def _open_output(out: Path, force: bool, resume: bool, study: str):
    """Check the output folder and open the study's saved replications (``study``: its
    fingerprint); one line and exit 2 when refused.  Returns whether the run may replace
    the results in ``out`` (with --force, or with --resume when an interrupted run left its
    saved replications beside ``out``: that run was allowed to write there; a finished
    study, with nothing to continue, stays untouched) and the checkpoint."""
    from .checkpoint import Checkpoint, folder_for, saved_tasks, writer
    from .errors import FolderHoldsResults
    from .results import check_output_folder

    busy = writer(folder_for(out))
    if busy is not None:
        _fail([f"{out}: another govsim run (process {busy}) is writing this study now; wait for it to end "
               "or choose another --out"])
    saved = saved_tasks(folder_for(out))
    if saved and not (resume or force):  # a rerun without --resume would throw away hours
        _fail([f"{out}: a run that did not finish saved {_count(saved, 'finished task')} (a policy's replication "
               f"each) in {folder_for(out)}; "
               "--resume continues it, --force starts afresh"])
    replace = force or (resume and folder_for(out).is_dir())
    try:
        check_output_folder(out, replace=replace)
        return replace, Checkpoint(folder_for(out), study, resume)
    except FolderHoldsResults as exc:
        _fail([str(FolderHoldsResults(out, "finished results and no interrupted run to continue (--resume)"))
               if resume else str(exc)])
    except ResultsError as exc:
        _fail([str(exc)])


def _check_scheduler(scheduler: Optional[str]) -> None:
    """A --scheduler that is no address: one line and exit 2, before anything runs."""
    from .experiment import SchedulerUnreachable, check_scheduler

    if scheduler is not None:
        try:
            check_scheduler(scheduler)
        except SchedulerUnreachable as exc:
            _fail([str(exc)])


def _at_least(flag: str, value: Optional[int], least: int, why: str = "") -> None:
    """An option's count below ``least``: one line and exit 2, blaming the option (not the file)."""
    if value is not None and value < least:
        _fail([f"{flag}: {why or f'must be at least {least}'} (got {value})"])


def _save_and_close(fig, path: Path) -> None:
    import matplotlib.pyplot as plt

    from .report.figures import DPI

    try:
        fig.savefig(path, dpi=DPI)
    finally:
        plt.close(fig)


def _load(file: Path, **run_changes):
    """The scenario with run settings overridden from the command line, or one line per
    problem and exit code 2."""
    from .scenario import load_scenario

    try:
        return load_scenario(file).with_run(**run_changes)
    except ScenarioErrors as exc:
        _fail([e.one_line() for e in exc.errors])
    except ScenarioError as exc:
        _fail([exc.one_line()])


def _count(n, noun: str) -> str:
    """``1 replication``, ``12 replications``, ``1 policy``, ``2 policies``."""
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


def _whole(text: str, flag: str) -> int:
    try:
        value = int(text)
    except ValueError:
        _fail([f"{flag}: a whole number or 'auto' (got {text!r})"])
    if value < 1:
        _fail([f"{flag}: must be at least 1 (got {value})"])
    return value


def _auto_text(info: dict, scenario, lang: str) -> str:
    """Why -r auto stopped where it did, in the run's language, as the report says it."""
    from .labels import vocabulary
    from .report.answer import auto_reason

    return auto_reason(info, lang, vocabulary(scenario.model), _display_names(scenario))


def _check_lang(lang: Optional[str]) -> None:
    from .labels import LANGS

    if lang is not None and lang not in LANGS:
        _fail([f"--lang: must be one of {', '.join(LANGS)} (got {lang!r})"])


@app.command()
def report(
    folder: Path = typer.Argument(..., help="A results folder written by `govsim run`.", show_default=False),
    open_: bool = _flag("--open", help="Open the report in the default browser."),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help="en or zh \\[default: the language of the run]."),
):
    """Rebuild report.html and figures/ from a results folder's saved tables, without rerunning."""
    from .report import write_report
    from .report.fonts import FontMissing

    _check_lang(lang)
    try:
        path = write_report(folder, lang)
    except (ResultsError, FontMissing) as exc:
        _fail([" ".join(str(exc).split())])
    out_console.print(f"Report written to [bold]{path}[/bold]", soft_wrap=True)
    if open_:
        import webbrowser

        if not webbrowser.open(path.resolve().as_uri()):  # no browser on this machine (a server, say)
            err_console.print(f"--open: no web browser found here; open {path} yourself", soft_wrap=True,
                              markup=False)


@app.command()
def compare(
    dir_a: Path = typer.Argument(..., help="Results folder A (what B is compared with).", show_default=False),
    dir_b: Path = typer.Argument(..., help="Results folder B.", show_default=False),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Where to write compare.csv and compare.png "
                                       "\\[default: results/<A>-vs-<B>]."),
    force: bool = _flag("--force", help="Replace an earlier comparison in the output folder."),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help="Language of the chart: en or zh \\[default: en]."),
    quiet: bool = _flag("--quiet", "-q", help="No table."),
):
    """Compare two results folders (one model; common policies): B minus A for every metric, paired by
    replication where both ran the same replications and seeds, else Welch; a table and a chart."""
    from .compare import check_out, compare_folders, default_out, key_rows, method_words, write_comparison
    from .report.fonts import FontMissing, require_cjk_font
    from .results import check_output_folder

    _check_lang(lang)
    lang = lang or "en"
    out = out if out is not None else default_out(dir_a, dir_b)
    try:
        if lang == "zh":
            require_cjk_font()
        check_out(out, (dir_a, dir_b))
        check_output_folder(out, replace=force)
        cmp = compare_folders(dir_a, dir_b)
        write_comparison(cmp, out, lang, replace=force)
    except (ResultsError, FontMissing) as exc:
        _fail([" ".join(str(exc).split())])
    if not quiet:
        _print_comparison(cmp, key_rows(cmp), method_words(cmp.methods, lang), lang)
        out_console.print(f"Comparison written to [bold]{out}[/bold] (compare.csv, compare.png)", soft_wrap=True)


def _print_comparison(cmp, rows, method: str, lang: str) -> None:
    from .labels import vocabulary

    voc = vocabulary(cmp.a.model)
    out_console.print(f"B − A, {method}" if lang == "en" else f"B − A，{method}", markup=False)
    out_console.print(f"  A = {cmp.a.folder}\n  B = {cmp.b.folder}", markup=False)
    table = _table(title_justify="left")
    table.add_column(tr("policy", lang), overflow="fold")
    table.add_column(tr("metric", lang))
    for col in ("A", "B", f"B − A ({tr('ci95', lang)})"):
        table.add_column(col, justify="right")
    for _, r in rows.iterrows():
        scale, unit = (100.0, " pp") if voc.is_fraction(r["metric"]) else (1.0, "")
        interval = tr("ci_to", lang, lo=_fmt(r["ci_low"] * scale), hi=_fmt(r["ci_high"] * scale))
        diff = f"{_fmt(r['diff_mean'] * scale)}{unit}\n({interval})"
        table.add_row(cmp.a.names.policy(r["policy"], lang), voc.metric_label(r["metric"], lang=lang),
                      _fmt(r["a_mean"]), _fmt(r["b_mean"]), diff)
    out_console.print(table)


def _command_line(file, out, replications, seed, jobs, policies, quiet, lang=None, scheduler=None, trace=False,
                  force=False) -> str:
    """The command that reproduces this run (rebuilt from the parsed options, so it is
    right however govsim was invoked)."""
    parts = ["govsim", "run", str(file), "--out", str(out)]
    for flag, value in (("--replications", replications), ("--seed", seed), ("--jobs", jobs), ("--lang", lang),
                        ("--scheduler", scheduler)):
        if value is not None:
            parts += [flag, str(value)]
    for p in policies:
        parts += ["--policy", p]
    if quiet:
        parts.append("--quiet")
    if trace:
        parts.append("--trace")
    if force:
        parts.append("--force")
    return shlex.join(parts)


def _select_policies(scenario, chosen: list[str]) -> list[str]:
    names = scenario.policy_names
    unknown = [p for p in chosen if p not in names]
    if unknown:
        _fail([f"{scenario.path}: --policy: no policy named '{unknown[0]}' (policies: {', '.join(names)})"])
    if not chosen:
        return names
    keep = set(chosen) | {scenario.baseline_policy}
    return [p for p in names if p in keep]


def _fmt(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _print_summary(scenario, summary, policies, lang: str = "en", names=None) -> None:
    """Key metrics overall: a row per policy, each cell the mean over its 95% interval;
    metrics headed by their labels, which wrap between words.  When the terminal is too
    narrow for every metric, the metrics are split over several tables: nothing is cut
    or hidden, and no header breaks inside a word."""
    from .labels import DisplayNames, vocabulary

    names = names or DisplayNames()
    voc = vocabulary(scenario.model)
    metrics = list(scenario.model.key_metrics)
    overall = summary[summary["scope"] == "all"].set_index(["policy", "metric"])
    baseline_word = " (基准)" if lang == "zh" else " (baseline)"
    labels = [names.policy(p, lang) + (baseline_word if p == scenario.baseline_policy else "") for p in policies]

    def cell(p, m) -> tuple[str, str]:
        if (p, m) not in overall.index:
            return "–", ""
        r = overall.loc[(p, m)]
        ci = "" if r["ci_low"] != r["ci_low"] else f"{_fmt(r['ci_low'])}–{_fmt(r['ci_high'])}"
        return _fmt(r["mean"]), ci

    cells = {(p, m): cell(p, m) for p in policies for m in metrics}
    heads = {m: voc.metric_label(m, lang=lang) for m in metrics}

    def col_width(m) -> int:
        words = heads[m].split() if lang == "en" else [heads[m][:6]]  # Chinese may break between characters
        return max([cell_len(w) for w in words] + [cell_len(x) for p in policies for x in cells[(p, m)]])

    if lang == "zh":  # broken by us, between characters but never inside a number ("9 / 5%")
        heads = {m: _wrap_cjk(heads[m], col_width(m)) for m in metrics}

    width = out_console.width
    name_w = min(max(cell_len(x) for x in labels), max(16, width // 3))
    labels = [_wrap_name(x, name_w) for x in labels]

    def fits(group) -> bool:
        return 1 + (name_w + 3) + sum(col_width(m) + 3 for m in group) <= width

    parts = 1  # the fewest tables of even width that the terminal holds side by side
    while parts < len(metrics) and not all(fits(g) for g in _chunks(metrics, parts)):
        parts += 1
    groups = _chunks(metrics, parts)
    for k, group in enumerate(groups):
        part = f" ({k + 1}/{len(groups)})" if len(groups) > 1 else ""
        out_console.print(_table_title(scenario.name, scenario.run.replications, lang) + part, markup=False)
        table = _table()
        table.add_column("政策" if lang == "zh" else "policy", max_width=name_w, overflow="fold")
        for m in group:
            w = col_width(m)
            table.add_column(heads[m], justify="right", min_width=w, max_width=w, overflow="fold")
        for p, label in zip(policies, labels):
            table.add_row(Text(label), *[Text(mean) + (Text("\n" + ci, style="dim") if ci else Text(""))
                                         for mean, ci in (cells[(p, m)] for m in group)])
        out_console.print(table)


def _table_title(name: str, replications: int, lang: str) -> str:
    """What the table shows: means with their 95% intervals, or one replication's values
    (an interval needs two or more)."""
    if replications == 1:
        return (f"{name}：1 次重复运行的值（无置信区间：至少需要 2 次重复运行）" if lang == "zh" else
                f"{name}: the values of 1 replication (no 95% CI: that needs 2 or more)")
    return (f"{name}：均值与 95% 置信区间，{replications} 次重复运行" if lang == "zh" else
            f"{name}: mean and 95% CI over {_count(replications, 'replication')}")


def _wrap_name(name: str, width: int) -> str:
    """A long identifier broken after underscores (or spaces) into lines of at most ``width``."""
    lines, line = [], ""
    for piece in re.findall(r"[^_ ]+[_ ]?|[_ ]", name):
        if line and cell_len(line + piece.rstrip()) > width:
            lines.append(line.rstrip())
            line = ""
        line += piece
    return "\n".join(lines + [line.rstrip()])


def _wrap_cjk(text: str, width: int) -> str:
    """Chinese text in lines of at most ``width`` cells, broken between characters; a run
    of Latin letters, digits and signs ("95%", "p90") stays whole, an opening bracket
    starts a line rather than ends one and a closing one ends a line rather than starts one."""
    lines, line = [], ""
    for piece in re.findall(r"（?(?:[A-Za-z0-9.%+\-]+|.)[）)，、]?", text):
        if line and cell_len(line + piece) > width:
            lines.append(line)
            line = ""
        line += piece
    return "\n".join(lines + [line])


def _chunks(items: list, parts: int) -> list[list]:
    size = -(-len(items) // parts)
    return [items[i:i + size] for i in range(0, len(items), size)]


def _display_names(scenario):
    """The scenario's labels: block as the terminal's names."""
    from .labels import DisplayNames

    return DisplayNames({k: {i: d.model_dump() for i, d in v.items()} for k, v in scenario.labels.items()})


def _print_depends(table, reps, scenario, policies: list[str], lang: str = "en") -> None:
    """Per key metric and policy, the uncertain input that moves its mean most (the top of
    the report's tornado chart), with the mean at the base values and at its low and high;
    left out where the 95% interval of that move, pair by pair on common random numbers, holds 0."""
    from .labels import vocabulary
    from .sensitivity import paired_swing, swings

    voc, names = vocabulary(scenario.model), _display_names(scenario)
    judged = scenario.run.replications >= 2  # one replication has no interval: every move is shown, unjudged
    lines = []
    for metric in scenario.model.key_metrics:
        for policy in policies:
            top = swings(table, policy, "all", metric)
            if top.empty or not top["swing"].iloc[0] > 0:  # no input moves it (or it is not reported)
                continue
            r = top.iloc[0]
            _, lo, hi = paired_swing(scenario, reps, str(r["input"]), policy, "all", metric)
            if judged and not (lo > 0 or hi < 0):  # high - low, pair by pair, may be 0: no answer to give
                continue
            paths = str(r["input"]).split("+")  # one input may set several paths together
            what = paths[0] + (f" (+{len(paths) - 1})" if len(paths) > 1 else "")
            lines.append(f"  {voc.metric_label(metric, lang=lang)}, {names.policy(policy, lang)}: " + tr(
                "cli_depends_line", lang, base=_fmt(r["base"]), input=what, low=_fmt(r["low"]),
                high=_fmt(r["high"])))
    head = "cli_depends" if lines and judged else "cli_depends_one" if lines else "cli_depends_none"
    out_console.print(tr(head, lang), markup=False, soft_wrap=True)
    for line in lines:
        out_console.print(line, markup=False, soft_wrap=True)


def _print_baselines(checked, model, lang: str = "en", names=None) -> None:
    """The article baselines, a few lines each, within 80 columns where the names allow
    (nothing is cut): the verdict and the policy, then what is measured, then the numbers."""
    from .labels import DisplayNames, vocabulary
    from .report.answer import baseline_metric_words, verdict_words

    names = names or DisplayNames()
    voc = vocabulary(model)
    out_console.print(tr("cli_baselines", lang), markup=False)
    colours = {"yes": "green", "no": "red"}
    width = max((len(str(b)) for b in checked["baseline"]), default=0)
    for _, r in checked.iterrows():
        verdict = str(r["reproduced"])
        line = Text(f"  {str(r['baseline']):<{width}}  ")
        line.append(f"{verdict_words(verdict, lang)[0]:<3}", style=colours.get(verdict, "yellow"))
        line.append(f"  {names.policy(str(r['policy']), lang)}")
        out_console.print(line)
        # the metric, its scope and the compared policy as readers know them (baselines.csv keeps the codes)
        out_console.print("      " + baseline_metric_words(str(r["metric"]), lang, voc, names), markup=False,
                          soft_wrap=True)
        if r["reproduced"] == "not run":  # its policy was left out (--policy): no numbers to show
            out_console.print("      " + tr("cli_not_run", lang, expected=r["expected"]), markup=False)
        else:
            out_console.print("      " + tr("cli_expected", lang, expected=r["expected"],
                                            simulated=_fmt(r["simulated"]), low=_fmt(r["ci_low"]),
                                            high=_fmt(r["ci_high"])), markup=False)
        robust = str(r.get("robust", "not checked"))
        if robust != "not checked":  # from govsim sensitivity: does the verdict survive every uncertain input?
            out_console.print("      " + tr("cli_robust", lang, robust=robust), markup=False, soft_wrap=True)


@app.command()
def validate(files: List[Path] = typer.Argument(..., help="Scenario files to check.", show_default=False)):
    """Check scenario files: print 'ok' or every problem found (exit code 2), and the model's
    warnings about a valid file (an overloaded station)."""
    from .scenario import load_scenario

    bad = False
    for f in files:
        try:
            scenario = load_scenario(f)
            out_console.print(f"{f}: ok", markup=False)
            # valid, and yet a result to read with care (an overloaded station): said, not an error
            _policy_warnings(scenario, scenario.policy_names, scenario.lang or "en")
        except ScenarioErrors as exc:
            bad = True
            for e in exc.errors:
                err_console.print(e.one_line(), markup=False)
    if bad:
        raise typer.Exit(BAD_INPUT)


@app.command()
def fit(
    log: Path = typer.Argument(..., help="Queue-ticket export (CSV), one row per ticket: matter, arrived, called "
                               "(empty if the visitor left unserved), finished, window.", show_default=False),
    columns: Optional[List[str]] = typer.Option(None, "--columns", "-c", help="NAME=COLUMN,... where the export "
                                                "names its columns otherwise (matter, arrived, called, finished, window, ticket)."),
    time_format: Optional[List[str]] = typer.Option(None, "--format", "-f", help="strptime format of the date-times, "
                                                    "e.g. '%d/%m/%Y %H:%M' (repeatable) \\[default: ISO 8601, else guessed]."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="The fitted scenario \\[default: <LOG name>.fitted.yaml]; "
                                       "the fit report goes beside it, in <name>-report/."),
    force: bool = _flag("--force", help="Replace the scenario and its report if they exist."),
    quiet: bool = _flag("--quiet", "-q", help="No summary."),
):
    """Fit a network scenario to a queue-ticket log: arrivals, service, patience, windows by hour, and a fit report."""
    from .fit import LogError, fit_log
    from .fit.output import check, paths, write
    from .fit.read import parse_columns
    from .fit.report import build
    from .fit.scenario_text import scenario_name, scenario_text
    from .fit.whatif import comparison, predict

    yaml_path, report_dir = paths(log, out)
    parts = ["govsim", "fit", str(log)] + [a for c in columns or [] for a in ("--columns", c)] + \
        [a for f in time_format or [] for a in ("--format", f)] + ["--out", str(yaml_path)]
    command = shlex.join(parts)
    try:
        check(yaml_path, report_dir, force)
        fitted = fit_log(log, parse_columns(columns or [], log), time_format or None)
    except LogError as exc:
        _fail([exc.one_line()])
    text = scenario_text(fitted, scenario_name(log.stem), command, f"{report_dir.name}/report.html")
    predicted, problem = predict(text, yaml_path.name)
    compared = comparison(fitted.observed, predicted)
    write(yaml_path, text, report_dir, build(fitted, text, yaml_path.name, compared, problem, command))
    if problem:
        err_console.print(f"warning: the fitted scenario does not run yet: {problem}", markup=False)
    if not quiet:
        _print_fit(fitted, compared)
        out_console.print(f"Fitted scenario written to [bold]{yaml_path}[/bold]; the fit report: "
                          f"[bold]{report_dir / 'report.html'}[/bold]")


def _print_fit(fitted, compared) -> None:
    c = fitted.cleaned
    out_console.print(f"{fitted.path}: {c.total_rows:,} rows, {len(c.rows):,} tickets used", markup=False)
    for kind, n in c.counts().items():
        lines = c.first_lines(kind)
        more = " ..." if n > len(lines) else ""
        out_console.print(f"  set aside, {kind}: {n:,} (line{'s' if n > 1 else ''} {' '.join(map(str, lines))}{more})",
                          markup=False)
    table = _table(title="Fitted per matter")
    for col in ("class", "tickets per day open", "service (min)", "patience (min)", "windows"):
        table.add_column(col)
    days = fitted.arrivals.open_days
    for k, cls in enumerate(fitted.classes):
        s = fitted.service[cls] or fitted.default_service[fitted.station_of(cls).name]
        p = fitted.patience[cls]
        table.add_row(cls, _fmt(fitted.tickets[k] / days), f"{s.chosen.family} {_fmt(s.chosen.mean)}",
                      f"{p.chosen.family} {_fmt(p.chosen.mean)}" if p else "–", fitted.station_of(cls).name)
    out_console.print(table)
    overall = compared[compared["scope"] == "all"]
    sources = list(dict.fromkeys(overall["source"]))
    table = _table(title="The log and the fitted scenario (95% intervals)")
    table.add_column("")
    for src in sources:
        table.add_column(src)
    for metric in ("wait_mean_min", "abandon_frac"):
        cells = []
        for src in sources:
            r = overall[(overall["source"] == src) & (overall["metric"] == metric)].iloc[0]
            cells.append(f"{_fmt(r['mean'])} ({_fmt(r['ci_low'])}–{_fmt(r['ci_high'])})")
        table.add_row(metric, *cells)
    out_console.print(table)


@app.command()
def schema(model: Optional[str] = typer.Argument(None, help="Model kind; all kinds when omitted."),
           markdown: bool = _flag("--markdown",
                                         help="The model's inputs as a reference page (Markdown) instead.")):
    """Print the JSON Schema of scenario files, for editors (or a model's reference page)."""
    from .models import MODELS
    from .schema import scenario_schema

    if model is not None and model not in MODELS:
        _fail([f"unknown model '{model}' (known: {', '.join(sorted(MODELS))})"])
    if markdown:
        from .reference import reference_markdown

        if model is None:
            _fail(["--markdown needs a model kind, e.g. govsim schema service_hall --markdown"])
        sys.stdout.write(reference_markdown(model))
        return
    sys.stdout.write(json.dumps(scenario_schema(model), indent=2, ensure_ascii=False) + "\n")


@app.command()
def models():
    """List the model kinds with a one-line description each."""
    from .models import MODELS

    table = _table(show_header=True)
    table.add_column("model")
    table.add_column("description")
    for name, cls in sorted(MODELS.items()):
        table.add_row(name, cls.description)
    out_console.print(table)


@app.command()
@_interruptible(resumable=True)
def sensitivity(
    file: Path = typer.Argument(..., help="Scenario file (YAML) with an uncertain: list.", show_default=False),
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="Results folder \\[default: results/<scenario name>-sensitivity]."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", help="Replications per setting and policy."),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", help="Base seed (overrides the file)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes \\[default: all cores]."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Run on a Dask cluster (address, or 'local')."),
    policy: Optional[List[str]] = typer.Option(None, "--policy", "-p", help="Only this policy (repeatable); the baseline is always run."),
    quiet: bool = _flag("--quiet", "-q", help="No progress bar."),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help="Language of report.html and the figures: en or zh."),
    force: bool = _flag("--force", help="Replace the results of an earlier run in the output folder."),
    resume: bool = _flag("--resume", help="Continue an interrupted study, recomputing nothing it finished."),
):
    """Every uncertain input at its low and its high, one at a time, on common random numbers:
    what each answer and each article baseline depends on."""
    from .checkpoint import fingerprint
    from .experiment import default_jobs
    from .results import write_results
    from .sensitivity import robustness, run_sensitivity, sensitivity_table, settings

    _at_least("--replications", replications, 1)
    scenario = _load(file, replications=replications, seed=seed)
    _check_scheduler(scheduler)
    if not scenario.uncertain:
        _fail([f"{file}: uncertain: no inputs declared uncertain (a list of {{path, low, high, reason}})"])
    policies = _select_policies(scenario, policy or [])
    _at_least("--jobs", jobs, 1)
    _check_lang(lang)
    lang = lang or scenario.lang or "en"
    out = out if out is not None else Path("results") / f"{scenario.name}-sensitivity"
    replace, checkpoint = _open_output(out, force, resume, fingerprint(scenario, scenario.resolved) + ":sensitivity")
    jobs = jobs or default_jobs()
    total = len(settings(scenario)) * len(policies) * scenario.run.replications
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    with _progress(quiet) as progress:
        n_inputs, n_policies, n_reps = len(scenario.uncertain), len(policies), scenario.run.replications
        if lang == "en":  # "1 input", "2 policies", "1 replication"
            n_inputs, n_policies, n_reps = (_count(n_inputs, "input"), _count(n_policies, "policy"),
                                            _count(n_reps, "replication"))
        task = progress.add_task(tr("cli_progress_sensitivity", lang, name=scenario.name, inputs=n_inputs,
                                   policies=n_policies, reps=n_reps), total=total)
        with _cluster_reached(progress):
            reps = run_sensitivity(scenario, policies, jobs, on_done=lambda: progress.advance(task),
                                   scheduler=scheduler, checkpoint=checkpoint)
    table = sensitivity_table(scenario, reps)
    robust = robustness(scenario, reps)
    base = reps[reps["level"] == "base"].drop(columns=["input", "level"]).reset_index(drop=True)
    command = _command_line(file, out, replications, seed, jobs, policy or [], quiet, lang, scheduler, force=force)
    run_info = {"command": command.replace("govsim run", "govsim sensitivity", 1) + (" --resume" if resume else ""),
                "jobs": jobs, "started_utc": started.isoformat(timespec="seconds"),
                "run_time_s": round(time.perf_counter() - t0, 3)}
    if checkpoint.reused:  # run_time_s is this run's: the reused tasks ran in an earlier one
        run_info["resumed"] = {"tasks_reused": checkpoint.reused}
    try:
        tables = write_results(out, scenario, base, policies, run_info, lang=lang, replace=replace,
                               extra={"sensitivity.csv": table}, robust=robust)
    except ResultsError as exc:
        _fail([str(exc)])
    checkpoint.finish()
    if not quiet:
        if tables["baselines"] is not None:
            _print_baselines(tables["baselines"], scenario.model, lang, _display_names(scenario))
        else:  # no claim to check: the answer is which input moves the key metrics most
            _print_depends(table, reps, scenario, policies, lang)
        written = "sensitivity.csv, baselines.csv (robust)" if tables["baselines"] is not None else "sensitivity.csv"
        out_console.print(tr("cli_written_files", lang, out=escape(str(out)), files=f"{written}, report.html"),
                          soft_wrap=True)


@app.command()
@_interruptible(resumable=False)
def warmup(
    file: Path = typer.Argument(..., help="Scenario file (YAML).", show_default=False),
    policy: Optional[str] = typer.Option(None, "--policy", "-p", help="The policy to run \\[default: the baseline]."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", help="Replications to pool."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes \\[default: all cores]."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Run on a Dask cluster (address, or 'local')."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Where to put warmup.png \\[default: results/<name>-warmup]."),
    force: bool = _flag("--force", help="Replace an earlier suggestion in the output folder."),
    quiet: bool = _flag("--quiet", "-q", help="No progress bar."),
):
    """Suggest a warm-up: MSER on the number of open cases, pooled over replications, from
    an empty start (MSER-5 over time; MSER-1 per day for day-based models: the carry-over
    from day to day)."""
    from .experiment import default_jobs
    from .results import check_output_folder
    from .results.staging import write_folder
    from .warmup import suggest, too_short

    _at_least("--jobs", jobs, 1)
    _at_least("--replications", replications, 1)
    scenario = _load(file, replications=replications)
    if too_short(scenario):
        _fail([f"{file}: {too_short(scenario)}; nothing to suggest"])
    _check_scheduler(scheduler)
    policy = policy or scenario.baseline_policy
    _select_policies(scenario, [policy])
    out = out if out is not None else Path("results") / f"{scenario.name}-warmup"
    check_output_folder(out, replace=force)  # before the runs: a refusal costs nothing
    with _progress(quiet, transient=True) as progress:
        task = progress.add_task(f"{scenario.name}: {policy} from empty", total=scenario.run.replications)
        with _cluster_reached(progress):
            s = suggest(scenario, policy, jobs or default_jobs(), scheduler=scheduler,
                        on_done=lambda: progress.advance(task))
    from .report.warmup_figure import warmup_figure

    key = "warmup_days" if s.unit == "days" else "warmup_min"

    def write(folder: Path) -> None:
        fig = warmup_figure(s, f"{scenario.name}: {policy} from empty, {_count(scenario.run.replications, 'replication')}")
        _save_and_close(fig, folder / "warmup.png")

    write_folder(out, force, write, {"kind": "warmup", "scenario": str(file), "policy": policy,
                                     "replications": scenario.run.replications, key: s.value, "method": s.method,
                                     "halves": list(s.halves), "settled": not s.cut.too_short})
    reps = _count(scenario.run.replications, "replication")
    out_console.print(f"{key}: {s.value:g}    # {s.method} on the open cases, {reps}; chart: {out / 'warmup.png'}",
                      soft_wrap=True, markup=False)
    now = getattr(scenario.run, key)
    halves = " and ".join(f"{h:g}" for h in s.halves)
    out_console.print(f"  the scenario has {key}: {now:g}" + (
        f"; each half of the replications alone suggests {halves}" if s.halves else "") + (
        ": the cut moves with the noise where the series is flat, so read the chart and pool more "
        "replications (-r) before moving the scenario's value" if len(set(s.halves)) > 1 else ""),
        soft_wrap=True, markup=False)
    if s.cut.too_short:
        err_console.print("the series has not settled by mid-run: run longer (more days or a longer horizon_min)")
        raise typer.Exit(1)


@app.command()
@_interruptible(resumable=True)
def optimize(
    file: Path = typer.Argument(..., help="Scenario file (YAML).", show_default=False),
    target: List[str] = typer.Option(..., "--target", "-t", help='A target, "METRIC <= X" or "METRIC >= X" (repeatable).'),
    vary: List[str] = typer.Option(..., "--vary", "-v", help="An input to search, PATH=LO..HI in whole numbers (repeatable)."),
    cost: Optional[List[str]] = typer.Option(None, "--cost", "-c", help="PATH=YUAN_PER_UNIT (repeatable) \\[default: 1 per unit]."),
    scope: str = typer.Option("all", "--scope", help="The scope the targets are judged in (e.g. station:window)."),
    policy: Optional[str] = typer.Option(None, "--policy", "-p", help="The policy to staff \\[default: the baseline]."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", help="Replications per candidate."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes \\[default: all cores]."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Run on a Dask cluster (address, or 'local')."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder for optimize.csv and the chart \\[default: results/<name>-optimize]."),
    resume: bool = _flag("--resume", help="Continue an interrupted search, recomputing no candidate run."),
    force: bool = _flag("--force", help="Replace an earlier search's results in the output folder."),
    quiet: bool = _flag("--quiet", "-q", help="No progress bar."),
):
    """The cheapest combination of the varied inputs meeting every target with 95% confidence."""
    from .checkpoint import fingerprint
    from .experiment import default_jobs
    from .optimize import (Search, TargetNotMeasured, Vary, parse_cost, parse_target, parse_vary, path_keys,
                           scenario_runner, start_point)
    from .results.staging import write_folder
    from .sweep import no_effect_warning
    from .uncertain import expand

    _at_least("--jobs", jobs, 1)
    two = "optimize needs at least 2 per candidate, for a 95% interval"  # a target is met with 95% confidence
    _at_least("--replications", replications, 2, two)
    scenario = _load(file, replications=replications)
    _check_scheduler(scheduler)
    if replications is None and scenario.run.replications < 2:  # the file's own count
        _fail([f"--replications: {two} (got {scenario.run.replications} from the scenario)"])
    policy = policy or scenario.baseline_policy
    _select_policies(scenario, [policy])
    try:
        targets = [parse_target(t, scope) for t in target]
        costs = dict(parse_cost(c) for c in (cost or []))
        varies = [Vary(p, path_keys(p), lo, hi, costs.pop(p, 1.0)) for p, lo, hi in map(parse_vary, vary)]
    except ValueError as exc:
        _fail([str(exc)])
    if costs:
        _fail([f"--cost {next(iter(costs))}: not among the --vary paths"])
    for t in targets:
        if t.metric not in scenario.model.metrics:
            _fail([f"--target {t.text()}: model '{scenario.model.name}' has no metric '{t.metric}'"])
    raw = scenario.resolved_dict(policy)
    for v in varies:
        dotted = ".".join(str(k) for k in v.keys if not isinstance(k, int))
        try:
            expand(dotted, raw, lambda prefix, key: False)
            scenario.with_values(policy, {v.keys: v.low})
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            _fail([f"--vary {v.path}: {exc}"])
        except Exception as exc:  # pydantic: the value is not valid there
            _fail([f"--vary {v.path}={v.low}: {str(exc).splitlines()[0]}"])
    jobs = jobs or default_jobs()
    out = out if out is not None else Path("results") / f"{scenario.name}-optimize"
    replace, checkpoint = _open_output(out, force, resume, fingerprint(scenario, scenario.resolved) + ":optimize")
    with _progress(quiet, transient=True) as progress:
        task = progress.add_task(f"{scenario.name}: searching", total=scenario.run.replications)
        tried = []

        def next_candidate(values) -> None:  # the bar counts one candidate's replications at a time
            tried.append(values)
            setting = ", ".join(f"{v.path}={x}" for v, x in zip(varies, values))
            progress.reset(task, total=scenario.run.replications,
                           description=f"{scenario.name}: candidate {len(tried)}, {setting}")

        runner = scenario_runner(scenario, policy, varies, jobs=jobs, scheduler=scheduler, checkpoint=checkpoint,
                                 on_done=lambda: progress.advance(task), on_candidate=next_candidate)
        search = Search(varies, targets, runner, policy)
        with _cluster_reached(progress):
            try:
                best = search.solve(start_point(scenario, policy, varies, targets))
            except TargetNotMeasured as exc:
                progress.stop()
                checkpoint.finish()  # a mistake in the command, not an interruption: nothing to resume
                _fail([str(exc)])
    table = search.table()
    unread = [v.path for v in search.without_effect()]
    from .report.studies import optimize_figure

    def write(folder: Path) -> None:
        table.to_csv(folder / "optimize.csv", index=False, lineterminator="\n")
        _save_and_close(optimize_figure(table, varies[0].path, best.values[0] if best else None),
                        folder / "optimize.png")

    write_folder(out, replace, write, {"kind": "optimize", "scenario": str(file), "policy": policy,
                                       "targets": [t.text() for t in targets], "vary": list(vary),
                                       "replications": scenario.run.replications,
                                       "best": dict(zip((v.path for v in varies), best.values)) if best else None,
                                       "without_effect": unread})
    checkpoint.finish()  # only now: a failed write leaves the search to --resume
    for path in unread:  # before the answer, which would otherwise read as if the input mattered (even with -q)
        err_console.print(no_effect_warning("--vary", path, policy, what="value tried"), soft_wrap=True, markup=False)
    if best is None:
        out_console.print("no combination within the ranges meets every target; widen --vary "
                          f"(every candidate tried: {out / 'optimize.csv'})")
        raise typer.Exit(1)
    for v, x in zip(varies, best.values):
        same = "   (every value tried gave identical results: see the warning)" if v.path in unread else ""
        out_console.print(f"{v.path} = {x}{same}", soft_wrap=True, markup=False)
    if cost:
        out_console.print(f"cost: {best.cost:g} per day", markup=False)
    elif len(varies) > 1:
        out_console.print(f"total of the varied inputs: {sum(best.values)} (no --cost: each unit counts 1)",
                          markup=False)
    for t in targets:
        mean, lo, hi, _ = best.stats[t.text()]
        line = f"  {t.text()}: {mean:.4g} (95% CI {lo:.4g} to {hi:.4g})"
        for i, v in enumerate(varies):
            less = tuple(x - (j == i) for j, x in enumerate(best.values))
            if less in search.seen:
                m2, l2, h2, met = search.seen[less].stats[t.text()]
                line += f"; with {v.path} = {less[i]}: {m2:.4g} ({l2:.4g} to {h2:.4g}){'' if met else ', missed'}"
        out_console.print(line, soft_wrap=True, markup=False)
    if len(varies) > 1:
        out_console.print("several inputs: a local optimum (no one-unit saving keeps every target)")
    out_console.print(f"{len(search.seen)} candidates run on common random numbers: {out / 'optimize.csv'}",
                      soft_wrap=True)


if __name__ == "__main__":  # pragma: no cover
    app()
