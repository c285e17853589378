"""report.html: one self-contained page (figures embedded as PNG data, styles inline,
no scripts, fonts or requests), in the order of the STRESS-DES reporting checklist:

1. the question and the answer: the bottom line first (a few lines), the key metrics
by policy, then a sentence per key metric and policy with a better / worse badge,
2. the article baselines, 3. the charts, 4. the model logic and assumptions
(resolved parameters per policy, the scenario file's comments), 5. the experiment.

The page fits its window and an A4 sheet (a print stylesheet): tables are never
wider than the page (policies are rows; columns beyond a few are split into further
tables; long names wrap), nothing sits in a scroll box, and the charts are drawn at
most an A4 text width wide.  Names of policies and scopes come from the scenario's
``labels:`` block where it gives them.

Everything comes from the saved results folder, so the page is the same byte for
byte whenever it is rebuilt from the same folder (no clock, no absolute paths).
"""
from __future__ import annotations

import base64
import html
import inspect
import json
import math
import re
from pathlib import Path

from .. import __version__
from ..labels import DisplayNames, Vocabulary, vocabulary
from .answer import answer, auto_reason, baseline_metric_words, breakable, fmt, in_sentence, policy_name, verdict_words
from .assumptions import scenario_notes
from .bottomline import bottom_line
from .figures import FigureOut, policy_colours
from .i18n import t
from .studies import STUDY_SECTIONS, study_sections

SECTIONS = ("answer", "baselines", "charts", "model", "experiment")
FIGURE_GROUPS = ("forest", "key", "dist", "profile", "util", "breakdown")
GROUP_TITLE = {"forest": "h_forest", "key": "h_key", "dist": "h_dist", "profile": "h_profile", "util": "h_util",
               "breakdown": "h_breakdown"}
METRICS_PER_TABLE = 4   # key metrics side by side in one table: four fit an A4 page with room to spare
POLICIES_PER_TABLE = 3  # policies side by side in a table of parameters, whose values may be long

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --soft: #f6f8fa; --good: #1a7f37; --bad: #cf222e;
        --warn: #9a6700; --info: #0969da; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.55;
       font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans",
                    "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
                    "WenQuanYi Micro Hei", sans-serif; }
main { max-width: 1140px; margin: 0 auto; padding: 24px 20px 60px; }
h1 { font-size: 1.9rem; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 1.45rem; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.15rem; margin: 26px 0 8px; }
h2, h3, h4 { break-after: avoid; }
p.sub { color: var(--muted); margin: 0 0 16px; }
nav ol { columns: 2; margin: 6px 0 0; padding-left: 20px; }
nav { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Noto Sans Mono CJK SC", monospace;
       font-size: 0.92em; background: var(--soft); padding: 0 3px; border-radius: 3px; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.9rem; max-width: 100%; }
table.full { width: 100%; }
table.fixed { table-layout: fixed; width: 100%; }
caption { text-align: left; color: var(--muted); font-size: 0.85rem; padding-bottom: 2px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
table.part th:first-child { width: 24%; }
th { background: var(--soft); }
tr { break-inside: avoid; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td .ci { color: var(--muted); font-size: 0.85em; white-space: nowrap; }
td.diff { background: #fff8c5; font-weight: 600; }
td.same { color: var(--muted); }
ul.answer { padding-left: 20px; }
ul.answer li { margin: 4px 0; }
.badge { font-size: 0.85em; font-weight: 600; padding: 0 6px; border-radius: 10px; white-space: nowrap; }
.badge.better { color: #fff; background: var(--good); }
.badge.worse { color: #fff; background: var(--bad); }
.badge.no_clear, .badge.no_interval { color: var(--muted); border: 1px solid var(--muted); }
.badge.changed { color: var(--info); border: 1px solid var(--info); }
td .badge { display: inline-block; margin-top: 2px; }
.yes { color: var(--good); font-weight: 700; }
.no { color: var(--bad); font-weight: 700; }
.undecided { color: var(--warn); font-weight: 700; }
.question { font-size: 1.05rem; background: var(--soft); border-left: 4px solid var(--info); padding: 8px 14px; }
.warning { background: var(--soft); border-left: 4px solid var(--warn); padding: 4px 14px; }
.bottom { border: 2px solid var(--ink); border-radius: 6px; padding: 4px 16px 8px; margin: 16px 0; }
.bottom h3 { margin-top: 8px; }
ul.bottom-line { padding-left: 20px; margin: 4px 0; }
ul.bottom-line li { margin: 4px 0; }
li.bl-better::marker { color: var(--good); }
li.bl-worse::marker { color: var(--bad); }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 4px;
          vertical-align: baseline; }
.figures { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-start; }
figure { margin: 12px 0 20px; max-width: 100%; break-inside: avoid; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: 0.85rem; margin-top: 4px; overflow-wrap: anywhere; }
details { margin: 8px 0 16px; }
summary { cursor: pointer; font-weight: 600; }
.print-only { display: none; }
.model-text p { margin: 6px 0; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 16px; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; min-width: 0; }
footer { color: var(--muted); font-size: 0.85rem; margin-top: 40px; border-top: 1px solid var(--line);
         padding-top: 8px; }
@page { size: A4; margin: 15mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { margin-top: 24px; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 4px; }
  details:not([open]) { display: none; }
  .print-only { display: block; }
  a { color: inherit; text-decoration: none; }
}
"""


def esc(value) -> str:
    return html.escape(str(value))


def code(name: str) -> str:
    return f"<code>{breakable(name)}</code>"


def inline(text: str) -> str:
    """Plain text with ``code`` or `code` spans, escaped."""
    out = []
    for i, part in enumerate(re.split(r"``(.+?)``|`([^`]+)`", text)):
        if part is None:
            continue
        out.append(code(part) if i % 3 else esc(part))
    return "".join(out)


_CJK_END = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]$")
_CJK_START = re.compile(r"^[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


def _join_lines(lines: list[str]) -> str:
    """Wrapped lines of one paragraph joined: with a space, but none between Chinese characters."""
    out = ""
    for ln in lines:
        if out and not (_CJK_END.search(out) and _CJK_START.search(ln)):
            out += " "
        out += ln
    return out


def paragraphs(text: str) -> str:
    """Paragraphs split on blank lines; lines starting with '- ' become a list."""
    blocks = []
    for block in re.split(r"\n\s*\n", inspect.cleandoc(text)):
        lines = [ln.strip() for ln in block.strip().splitlines()]
        if not lines:
            continue
        if lines[0].startswith("- "):
            items: list[list[str]] = []
            for ln in lines:
                if ln.startswith("- ") or not items:
                    items.append([ln[2:] if ln.startswith("- ") else ln])
                else:
                    items[-1].append(ln)  # a wrapped line of the item above
            blocks.append("<ul>" + "".join(f"<li>{inline(_join_lines(i))}</li>" for i in items) + "</ul>")
        else:
            blocks.append(f"<p>{inline(_join_lines(lines))}</p>")
    return "\n".join(blocks)


def _table(head: list[str], rows: list[list[str]], cls: str = "", caption: str = "") -> str:
    """``head`` and ``rows`` hold ready HTML cells (``<td ...>`` included for rows)."""
    h = "".join(f"<th>{c}</th>" for c in head)
    body = "\n".join("<tr>" + "".join(r) + "</tr>" for r in rows)
    cap = f"<caption>{caption}</caption>" if caption else ""
    return f'<table class="{cls}">{cap}<thead><tr>{h}</tr></thead>\n<tbody>\n{body}\n</tbody></table>'


def _tables(head: list[str], rows: list[list[str]], cls: str, per: int, caption=None) -> str:
    """A table whose first column names its rows, split into tables of at most ``per``
    further columns each (the first repeated), so none is wider than the page.
    ``caption(i, n)`` titles part i of n when there is more than one."""
    rest = len(head) - 1
    parts = max(1, math.ceil(rest / per))
    size = math.ceil(rest / parts)  # parts of even width
    out = []
    for i in range(parts):
        cols = range(1 + i * size, min(1 + (i + 1) * size, len(head)))
        cap = caption(i + 1, parts) if caption and parts > 1 else ""
        out.append(_table([head[0]] + [head[c] for c in cols], [[r[0]] + [r[c] for c in cols] for r in rows],
                          f"{cls} full part", cap))
    return "\n".join(out)


def _td(value: str, cls: str = "") -> str:
    return f'<td class="{cls}">{value}</td>' if cls else f"<td>{value}</td>"


def _ci(lo: float, hi: float, lang: str) -> str:
    if lo < 0 or hi < 0:
        return t("ci_to", lang, lo=fmt(lo), hi=fmt(hi))
    return f"{fmt(lo)}–{fmt(hi)}"


def _mean_ci(mean: float, lo: float, hi: float, lang: str, two_lines: bool = False) -> str:
    if math.isnan(lo) or math.isnan(hi):
        return fmt(mean)
    if two_lines:
        return f'{fmt(mean)}<br><span class="ci">{_ci(lo, hi, lang)}</span>'
    return f"{fmt(mean)} ({_ci(lo, hi, lang)})"


def _swatch(colour: str) -> str:
    return f'<span class="swatch" style="background:{colour}"></span>'


def _badge(kind: str, lang: str) -> str:
    return f'<span class="badge {kind}">{esc(t(kind, lang))}</span>' if kind else ""


def _policy_cell(policy: str, res, lang: str, names: DisplayNames, colours: dict) -> str:
    """A policy in a table: its colour, its name, its identifier under a display name, and
    whether it is the baseline."""
    shown = policy_name(policy, lang, names)
    if names.has("policy", policy):
        shown += f"<br>{code(policy)}"
    if policy == res.baseline:
        shown += f" ({t('baseline_mark', lang)})"
    return _swatch(colours[policy]) + shown


# ---------------------------------------------------------------- sections

def _answer(res, lang: str, voc: Vocabulary, names: DisplayNames, changes: dict) -> str:
    metrics = list(res.model.key_metrics)
    colours = policy_colours(res.policies)
    others = [p for p in res.policies if p != res.baseline]
    labels = [in_sentence(voc.metric_label(m, with_unit=False, lang=lang), lang) for m in metrics]
    sep, last = t("list_sep", lang), t("and", lang)
    joined = sep.join(labels[:-1]) + (last if len(labels) > 1 else "") + labels[-1] if labels else ""
    out = [f'<section id="answer"><h2>{t("sec_answer", lang)}</h2>']
    description = (res.metadata.get("scenario") or {}).get("description") or ""
    q = (t("question_text", lang, baseline=policy_name(res.baseline, lang, names),
           others=sep.join(policy_name(p, lang, names) for p in others), metrics=esc(joined))
         if others else t("question_none", lang, baseline=policy_name(res.baseline, lang, names)))
    out.append(f'<div class="question"><p><strong>{t("question", lang)}.</strong> {q}</p>'
               + (f"<p>{inline(description.strip())}</p>" if description.strip() else "") + "</div>")
    warnings = res.metadata.get("warnings") or {}  # the model's, known before the run (Model.warnings)
    warnings = warnings.get(lang) or warnings.get("en", []) if isinstance(warnings, dict) else warnings
    if warnings:
        out.append('<div class="warning">' + "".join(f"<p><strong>{t('warning_lead', lang)}</strong> {esc(w)}</p>"
                                                     for w in warnings) + "</div>")
    sentences = answer(res.summary, res.comparison, metrics, res.policies, res.baseline, lang, voc=voc,
                       names=names) if others else {}
    out.append(f'<div class="bottom" id="bottom-line"><h3>{t("bottom_line", lang)}</h3>'
               + bottom_line(res, sentences, changes, lang, voc=voc, names=names) + "</div>")
    # the key metrics: a row per policy, a column per metric (split when there are many)
    overall = res.summary[res.summary["scope"] == "all"].set_index(["policy", "metric"])
    badges = {(s.policy, s.metric): s.badge for ss in sentences.values() for s in ss}
    head = [t("policy", lang)] + [esc(voc.metric_label(m, lang=lang)) for m in metrics]
    rows = []
    for p in res.policies:
        cells = [_td(_policy_cell(p, res, lang, names, colours))]
        for m in metrics:
            if (p, m) in overall.index:
                r = overall.loc[(p, m)]
                mark = badges.get((p, m), "")
                cell = _mean_ci(r["mean"], r["ci_low"], r["ci_high"], lang, two_lines=True)
                cells.append(_td(cell + (f"<br>{_badge(mark, lang)}" if mark in ("better", "worse") else ""), "num"))
            else:
                cells.append(_td("–", "num"))
        rows.append(cells)
    out.append(f'<h3 id="key-metrics">{t("key_table", lang)}</h3>'
               + _tables(head, rows, "key-metrics", METRICS_PER_TABLE,
                         caption=lambda i, n: t("key_table_part", lang, i=i, n=n)))
    if sentences:
        out.append(f'<h3 id="detail">{t("detail", lang)}</h3><p>{t("answer_note", lang)}</p>')
        for policy, ss in sentences.items():
            out.append(f'<h4 id="answer-{esc(policy)}">{_swatch(colours[policy])}{policy_name(policy, lang, names)}'
                       f'</h4><ul class="answer">')
            for s in ss:
                badge = f" {_badge(s.badge, lang)}" if s.badge else ""
                out.append(f'<li data-metric="{esc(s.metric)}" data-verdict="{s.verdict}" data-badge="{s.badge}">'
                           f"{s.text}{badge}</li>")
            out.append("</ul>")
    out.append("</section>")
    return "\n".join(out)


def _baselines(res, lang: str, names: DisplayNames) -> str:
    out = [f'<section id="baselines"><h2>{t("sec_baselines", lang)}</h2>']
    if res.baselines is None or res.baselines.empty:
        out.append(f"<p>{t('baselines_none', lang)}</p></section>")
        return "\n".join(out)
    out.append(f"<p>{t('baselines_intro', lang)}</p>")
    head = [t(k, lang) for k in ("b_id", "b_source", "b_policy", "b_metric", "b_expected", "b_simulated",
                                 "b_reproduced")]
    voc = vocabulary(res.model)
    rows = []
    for _, r in res.baselines.iterrows():
        shown, cls = verdict_words(str(r["reproduced"]), lang)
        rows.append([_td(esc(r["baseline"])), _td(esc(r["source"])), _td(policy_name(r["policy"], lang, names)),
                     _td(esc(baseline_metric_words(str(r["metric"]), lang, voc, names))
                         + f"<br><small>{code(r['metric'])}</small>"), _td(esc(r["expected"]), "num"),
                     _td(_mean_ci(r["simulated"], r["ci_low"], r["ci_high"], lang, two_lines=True), "num"),
                     _td(f'<span class="{cls}">{esc(shown)}</span>' + _robust_note(r, lang))])
    widths = (9, 24, 13, 19, 10, 13, 12)  # per cent of the page: the source's words need the room
    cols = "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in widths) + "</colgroup>"
    out.append(_table(head, rows, "baselines fixed").replace("<thead>", cols + "<thead>", 1))
    out.append("</section>")
    return "\n".join(out)


def _robust_note(r, lang: str) -> str:
    """Whether the verdict survives every declared uncertain input (govsim sensitivity)."""
    robust = str(r.get("robust", "not checked")) if hasattr(r, "get") else "not checked"
    if robust in ("not checked", "nan"):
        return ""
    word = {"en": "robust", "zh": "稳健性"}.get(lang, "robust")
    return f'<br><small>{esc(word)}: {esc(robust)}</small>'


def _img(fig: FigureOut, fig_dir: str) -> str:
    data = base64.b64encode(fig.path.read_bytes()).decode("ascii")
    return (f'<figure id="fig-{esc(fig.name)}" style="width:{fig.width_px}px"><img '
            f'src="data:image/png;base64,{data}" width="{fig.width_px}" '
            f'alt="{esc(fig.title)}"><figcaption>{esc(fig.title)} · <code>{esc(fig_dir)}/{esc(fig.name)}.png</code>'
            f"</figcaption></figure>")


def _charts(figures: list[FigureOut], lang: str, fig_dir: str) -> str:
    out = [f'<section id="charts"><h2>{t("sec_charts", lang)}</h2><p>{t("charts_intro", lang, dir=fig_dir)}</p>']
    for group in FIGURE_GROUPS:
        members = [f for f in figures if f.section == group]
        if not members:
            continue
        out.append(f'<h3 id="charts-{group}">{t(GROUP_TITLE[group], lang)}</h3><div class="figures">')
        out.extend(_img(f, fig_dir) for f in members)
        out.append("</div>")
    out.append("</section>")
    return "\n".join(out)


def _tasks_reused(resumed: dict) -> int:
    """Tasks a resumed run took from the earlier one (``replications_reused``: the same
    count, under the name results written before 0.2 gave it)."""
    return resumed.get("tasks_reused", resumed.get("replications_reused", 0))


def flatten(value, prefix: str = "") -> list[tuple[str, str]]:
    """(dotted path, shown value) of resolved params; a distribution is one value."""
    if isinstance(value, dict) and value and not ("dist" in value or "rate_per_hour" in value):
        rows = []
        for k, v in value.items():
            rows.extend(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return rows
    return [(prefix, show(value))]


def show(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict) and "dist" in value:
        args = ", ".join(f"{k}={show(v)}" for k, v in value.items() if k != "dist")
        return f"{value['dist']}({args})"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


def _flat_params(res) -> dict[str, dict[str, str]]:
    return {p: dict(flatten(res.resolved["policies"][p] or {})) for p in res.policies if p in res.resolved["policies"]}


def changes_from_baseline(res) -> dict[str, list[tuple[str, str]]]:
    """policy -> the (parameter, value) pairs where it differs from the baseline."""
    flat = _flat_params(res)
    base = flat.get(res.baseline, {})
    return {p: [(k, v) for k, v in values.items() if base.get(k, "–") != v]
               + [(k, "–") for k in base if k not in values]
            for p, values in flat.items() if p != res.baseline}


def _params(res, lang: str, names: DisplayNames) -> str:
    flat = _flat_params(res)
    policies = list(flat)
    keys = list(dict.fromkeys(k for p in policies for k in flat[p]))
    colours = policy_colours(res.policies)
    head = [t("parameter", lang)] + [_policy_cell(p, res, lang, names, colours) for p in policies]

    def rows_for(selected):
        rows = []
        for k in selected:
            base = flat[res.baseline].get(k, "–") if res.baseline in flat else None
            cells = [_td(code(k))]
            for p in policies:
                v = flat[p].get(k, "–")
                cls = "" if p == res.baseline else ("diff" if v != base else "same")
                cells.append(_td(breakable(v), cls))
            rows.append(cells)
        return rows

    differing = [k for k in keys if len({flat[p].get(k, "–") for p in policies}) > 1]
    out = [f'<h3 id="params-diff">{t("h_params_diff", lang)}</h3>']
    if differing:
        out.append(f"<p>{t('params_diff_intro', lang)}</p>"
                   + _tables(head, rows_for(differing), "params-diff", POLICIES_PER_TABLE))
    else:
        out.append(f"<p>{t('params_same', lang)}</p>")
    out.append(f'<details id="params-all"><summary>{t("h_params_all", lang)} ({len(keys)})</summary>'
               + _tables(head, rows_for(keys), "params-all", POLICIES_PER_TABLE) + "</details>")
    out.append(f'<p class="print-only">{t("params_all_print", lang, n=len(keys))}</p>')
    return "\n".join(out)


def _assumptions(res, lang: str) -> str:
    out = [f'<h3 id="assumptions">{t("h_assumptions", lang)}</h3>']
    if res.scenario_text is None:
        out.append(f"<p>{t('assumptions_none', lang)}</p>")
        return "\n".join(out)
    header, notes = scenario_notes(res.scenario_text)
    if not header and not notes:
        out.append(f"<p>{t('assumptions_empty', lang)}</p>")
        return "\n".join(out)
    out.append(f"<p>{t('assumptions_intro', lang)}</p>")
    out.extend(f'<p class="scenario-header">{inline(p)}</p>' for p in header)
    head = [t(k, lang) for k in ("a_line", "a_setting", "a_value", "a_comment")]
    rows = [[_td(str(n.line), "num"), _td(code(n.path) if n.path else ""), _td(code(n.value) if n.value else ""),
             _td(inline(n.comment))] for n in notes]
    if rows:
        cols = "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in (6, 28, 22, 44)) + "</colgroup>"
        out.append(_table(head, rows, "assumptions fixed").replace("<thead>", cols + "<thead>", 1))
    return "\n".join(out)


def _model(res, lang: str, names: DisplayNames) -> str:
    model = res.model
    text, in_lang = model.logic_text(lang)
    out = [f'<section id="model"><h2>{t("sec_model", lang)}</h2>',
           f'<h3>{t("model_kind", lang)}: {code(model.name)}</h3>']
    if lang == "en" or not in_lang:  # the one-line description is English; a Chinese account replaces it
        out.append(f"<p>{inline(model.description)}</p>")
    if not in_lang and t("model_text_en_only", lang):
        out.append(f'<p class="sub">{t("model_text_en_only", lang)}</p>')
    out.append(f'<div class="model-text">{paragraphs(text)}</div>')
    out.append(f"<p>{inline(t('model_docs', lang, name=model.name))}</p>")
    out.append(_params(res, lang, names))
    out.append(_assumptions(res, lang))
    out.append("</section>")
    return "\n".join(out)


def _experiment(res, lang: str, names: DisplayNames) -> str:
    meta, run = res.metadata, res.resolved.get("run", {})
    if run.get("days") is not None:
        length = t("e_days", lang, n=run["days"])
        warm = t("e_days", lang, n=run.get("warmup_days", 0)) if run.get("warmup_days") else t("e_none", lang)
    else:
        length = t("e_minutes", lang, n=fmt(float(meta.get("horizon_min", run.get("horizon_min", math.nan)))))
        w = float(meta.get("warmup_min", run.get("warmup_min", 0)) or 0)
        warm = t("e_minutes", lang, n=fmt(w)) if w else t("e_none", lang)
    scenario = meta.get("scenario") or {}
    libs = meta.get("libraries") or {}
    software = ", ".join([f"govsim {meta.get('govsim_version', '')}", f"Python {meta.get('python', '')}"]
                         + [f"{k} {v}" for k, v in libs.items() if v])
    facts = [
        ("e_replications", esc(meta.get("replications")) + (
            f" · {esc(auto_reason(meta['replications_auto'], lang, vocabulary(res.model), names))}"
            if meta.get("replications_auto") else "")),
        ("e_seed", esc(meta.get("seed"))),
        ("e_streams", esc(t("e_streams_text", lang))),
        ("e_length", esc(length)),
        ("e_warmup", esc(warm)),
        ("e_intervals", esc(t("e_intervals_text", lang, confidence=float(meta.get("confidence", 0.95))))),
        ("e_policies", t("list_sep", lang).join(
            policy_name(p, lang, names) + (f" ({t('baseline_mark', lang)})" if p == res.baseline else "")
            for p in res.policies)),
        ("e_scenario", code(scenario.get("file", "")) + (f" · sha256 {code(scenario['sha256'][:16])}…"
                                                         if scenario.get("sha256") else "")),
        ("e_command", code(meta.get("command", ""))),
        ("e_started", esc(meta.get("started_utc", "–"))),
        ("e_runtime", esc(t("e_runtime_text", lang, s=meta.get("run_time_s", "–"), jobs=meta.get("jobs", "–")) + (
            t("e_resumed", lang, n=_tasks_reused(meta["resumed"])) if meta.get("resumed") else ""))),
        ("e_software", esc(software)),
        ("e_platform", esc(meta.get("platform", "–"))),
    ]
    body = "\n".join(f"<dt>{t(k, lang)}</dt><dd>{v}</dd>" for k, v in facts)
    return f'<section id="experiment"><h2>{t("sec_experiment", lang)}</h2><dl class="facts">\n{body}\n</dl></section>'


def render(res, figures: list[FigureOut], lang: str, fig_dir: str = "figures") -> str:
    meta = res.metadata
    voc = vocabulary(res.model)  # the words of this model: its own labels joined with the common ones
    names = getattr(res, "names", None) or DisplayNames()
    name = (meta.get("scenario") or {}).get("name") or res.resolved.get("name", "")
    title = t("title", lang, name=name)
    nav = "".join(f'<li><a href="#{s}">{t("sec_" + s, lang)[3:]}</a></li>' for s in SECTIONS)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{esc(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body><main>",
        f"<header><h1>{esc(title)}</h1>",
        '<p class="sub">' + esc(t("subtitle", lang, model=res.model.name, reps=meta.get("replications"),
                                  s="" if meta.get("replications") == 1 else "s", started=meta.get("started_utc", "–"))) + "</p></header>",
        f'<nav><strong>{t("contents", lang)}</strong><ol>{nav}</ol></nav>',
        _answer(res, lang, voc, names, changes_from_baseline(res)),
        _baselines(res, lang, names),
        study_sections(res, lang, figures, lambda f: _img(f, fig_dir)),
        _charts([f for f in figures if f.section not in STUDY_SECTIONS], lang, fig_dir),
        _model(res, lang, names),
        _experiment(res, lang, names),
        f"<footer>{inline(t('footer', lang, version=meta.get('govsim_version', __version__)))}</footer>",
        "</main></body></html>",
        "",
    ]
    return "\n".join(parts)


def write_html(res, figures: list[FigureOut], lang: str, path: Path, fig_dir: str = "figures") -> Path:
    path.write_text(render(res, figures, lang, fig_dir), encoding="utf-8")
    return path
