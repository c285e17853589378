"""The ``govsim`` command: parses arguments and calls the library, nothing more."""
from __future__ import annotations

import json
import math
import shlex
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from . import __version__
from .errors import ResultsError, ScenarioError, ScenarioErrors

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="govsim: compare policies for government-service processes by discrete-event simulation.",
    pretty_exceptions_enable=False,
)
out_console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

BAD_INPUT = 2


def _fail(lines: list[str]) -> None:
    for line in lines:
        err_console.print(line, markup=False)
    raise typer.Exit(BAD_INPUT)


def _version(value: bool):
    if value:
        out_console.print(f"govsim {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit.")):
    pass


@app.command()
def run(
    file: Path = typer.Argument(..., help="Scenario file (YAML).", show_default=False),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Results folder \\[default: results/<scenario name>]."),
    replications: Optional[int] = typer.Option(None, "--replications", "-r", help="Replications per policy (overrides the file)."),
    seed: Optional[int] = typer.Option(None, "--seed", "-s", help="Base seed (overrides the file)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Worker processes \\[default: all cores]."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Run on a Dask cluster: its scheduler address "
                                            "(tcp://host:8786), or 'local' for one on this machine with --jobs workers."),
    policy: Optional[List[str]] = typer.Option(None, "--policy", "-p", help="Run only this policy (repeatable); the baseline is always run."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or table."),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", help="Language of report.html and the figures: en or zh "
                                       "\\[default: the scenario's lang, else en]."),
):
    """Run every policy of a scenario and write tables, figures and report.html."""
    from .experiment import default_jobs, run_experiment
    from .report.fonts import FontMissing, require_cjk_font
    from .results import check_output_folder, write_results
    from .scenario import load_scenario

    try:
        scenario = load_scenario(file).with_run(replications=replications, seed=seed)
    except ScenarioErrors as exc:
        _fail([e.one_line() for e in exc.errors])
    except ScenarioError as exc:
        _fail([exc.one_line()])
    policies = _select_policies(scenario, policy or [])
    if jobs is not None and jobs < 1:
        _fail([f"--jobs: must be at least 1 (got {jobs})"])
    _check_lang(lang)
    lang = lang or scenario.lang or "en"
    if lang == "zh":  # before hours of simulation, not after
        try:
            require_cjk_font()
        except FontMissing as exc:
            _fail([str(exc)])
    out = out if out is not None else Path("results") / scenario.name
    try:
        check_output_folder(out)
    except ResultsError as exc:
        _fail([str(exc)])

    jobs = jobs or default_jobs()
    signal.signal(signal.SIGTERM, _interrupted)  # like Ctrl-C: stop the workers, write nothing
    total = len(policies) * scenario.run.replications
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=err_console, disable=quiet, transient=False) as progress:
        task = progress.add_task(f"{scenario.name}: {len(policies)} policies × {scenario.run.replications} reps", total=total)
        try:
            reps = run_experiment(scenario, policies, jobs, on_done=lambda: progress.advance(task),
                                  scheduler=scheduler)
        except (OSError, TimeoutError) as exc:
            if scheduler is None:
                raise
            progress.stop()
            _fail([f"--scheduler: cannot reach the Dask scheduler '{scheduler}' ({exc})"])
    run_info = {
        "command": _command_line(file, out, replications, seed, jobs, policy or [], quiet, lang, scheduler),
        "jobs": jobs,
        "started_utc": started.isoformat(timespec="seconds"),
        "run_time_s": round(time.perf_counter() - t0, 3),
    }
    tables = write_results(out, scenario, reps, policies, run_info, lang=lang)
    if not quiet:
        _print_summary(scenario, tables["summary"], policies)
        if tables["baselines"] is not None:
            _print_baselines(tables["baselines"])
        out_console.print(f"Results written to [bold]{out}[/bold]; the report: [bold]{out / 'report.html'}[/bold]")


def _check_lang(lang: Optional[str]) -> None:
    from .labels import LANGS

    if lang is not None and lang not in LANGS:
        _fail([f"--lang: must be one of {', '.join(LANGS)} (got {lang!r})"])


@app.command()
def report(
    folder: Path = typer.Argument(..., help="A results folder written by `govsim run`.", show_default=False),
    open_: bool = typer.Option(False, "--open", help="Open the report in the default browser."),
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
    out_console.print(f"Report written to [bold]{path}[/bold]")
    if open_:
        import webbrowser

        webbrowser.open(path.resolve().as_uri())


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def _command_line(file, out, replications, seed, jobs, policies, quiet, lang=None, scheduler=None) -> str:
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


def _print_summary(scenario, summary, policies) -> None:
    """Key metrics overall: one row per policy, mean ± half-width of the 95% CI.  In a
    narrow terminal: means only, and policies by number with a legend below."""
    metrics = list(scenario.model.key_metrics)
    overall = summary[summary["scope"] == "all"].set_index(["policy", "metric"])
    names = [p + (" (baseline)" if p == scenario.baseline_policy else "") for p in policies]

    def cell(p, m, with_ci):
        if (p, m) not in overall.index:
            return "–"
        r = overall.loc[(p, m)]
        half = (r["ci_high"] - r["ci_low"]) / 2
        return f"{_fmt(r['mean'])}±{half:.2g}" if with_ci and half == half else _fmt(r["mean"])

    def width(labels, with_ci, header_cap):
        cols = [max(len(n) for n in labels)] + [
            max([min(len(m), header_cap)] + [len(cell(p, m, with_ci)) for p in policies]) for m in metrics]
        return sum(cols) + 3 * len(cols) + 1

    codes = [f"P{i + 1}" for i in range(len(policies))]
    if width(names, True, 99) <= out_console.width:
        labels, with_ci, cap = names, True, 99
    elif width(names, False, 8) <= out_console.width:
        labels, with_ci, cap = names, False, 8
    else:
        labels, with_ci, cap = codes, False, 8
    what = "mean ± 95% CI half-width" if with_ci else "mean (95% CIs in summary.csv and the report)"
    table = Table(title=f"{scenario.name}: {what} over {scenario.run.replications} replications")
    table.add_column("policy", no_wrap=True)
    for m in metrics:
        w = max(len(cell(p, m, with_ci)) for p in policies)
        table.add_column(m, justify="right", overflow="fold", min_width=w, max_width=max(w, cap))
    for p, label in zip(policies, labels):
        table.add_row(label, *[cell(p, m, with_ci) for m in metrics])
    out_console.print(table)
    if labels is codes:
        for code, name in zip(codes, names):
            out_console.print(f"  {code} = {name}", markup=False)


def _print_baselines(checked) -> None:
    table = Table(title="Article baselines (reproduced when the whole 95% CI meets the claim; "
                        "calibrated: an input was set from it)")
    for col in ("baseline", "policy", "metric", "expected", "simulated (95% CI)", "reproduced"):
        table.add_column(col)
    for _, r in checked.iterrows():
        mark = {"yes": "[green]yes[/green]", "no": "[red]no[/red]",
                "calibrated": "[yellow]calibrated[/yellow]"}.get(r["reproduced"], f"[yellow]{r['reproduced']}[/yellow]")
        table.add_row(r["baseline"], r["policy"], r["metric"], r["expected"],
                      f"{_fmt(r['simulated'])} ({_fmt(r['ci_low'])}–{_fmt(r['ci_high'])})", mark)
    out_console.print(table)


@app.command()
def validate(files: List[Path] = typer.Argument(..., help="Scenario files to check.", show_default=False)):
    """Check scenario files: print 'ok' or every problem found (exit code 2)."""
    from .scenario import load_scenario

    bad = False
    for f in files:
        try:
            load_scenario(f)
            out_console.print(f"{f}: ok", markup=False)
        except ScenarioErrors as exc:
            bad = True
            for e in exc.errors:
                err_console.print(e.one_line(), markup=False)
    if bad:
        raise typer.Exit(BAD_INPUT)


@app.command()
def schema(model: Optional[str] = typer.Argument(None, help="Model kind; all kinds when omitted."),
           markdown: bool = typer.Option(False, "--markdown",
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

    table = Table(show_header=True)
    table.add_column("model")
    table.add_column("description")
    for name, cls in sorted(MODELS.items()):
        table.add_row(name, cls.description)
    out_console.print(table)


if __name__ == "__main__":  # pragma: no cover
    app()
