"""Display labels, kept apart from KPI keys so charts and tables can be relabelled
and translated without touching results.

Here is the common vocabulary (metrics several models report, scope kinds, axis
phrases) in English and Chinese (terms from the glossary in docs/sources/domain-notes.md).
A model declares the labels of its own metrics on its class (``Model.labels``,
``labels_zh``, ``scope_kinds``, ``phrases_zh``); ``vocabulary(model)`` joins the two,
so two models may give one metric name different labels (licence's ``open_end`` is not
the hall's), and a model that gives a common name another meaning is an error.

A metric without a Chinese label falls back to its English one; a metric without
any label is shown by its name.

Also here: which way is better for a metric (``DIRECTIONS``, joined with a model's
``directions``), and ``DisplayNames``, the scenario's ``labels:`` block (names of
policies, matters, departments ... as readers see them) saved with the results.
"""
from __future__ import annotations

from functools import lru_cache

LANGS = ("en", "zh")

METRICS: dict[str, tuple[str, str]] = {
    "wait_mean_min": ("Mean wait", "minutes"),
    "wait_p90_min": ("90th percentile wait", "minutes"),
    "sojourn_mean_min": ("Mean time in system", "minutes"),
    "served": ("Served", "customers"),
    "arrived": ("Arrived", "customers"),
    "abandoned": ("Abandoned", "customers"),
    "blocked": ("Blocked", "customers"),
    "in_system_end": ("Still inside at the end", "customers"),
    "abandon_frac": ("Share abandoning", "fraction"),
    "blocked_frac": ("Share blocked", "fraction"),
    "queue_len_mean": ("Mean queue length", "customers"),
    "utilisation": ("Utilisation", "fraction of server time"),
    "visits_mean": ("Visits per completed case", "visits"),
    # the document rules shared by the hall and the licence model (govsim.documents)
    "one_visit_share": ("Share done in at most one visit", "fraction"),
    "pledge_share": ("Share accepted on a pledge", "fraction"),
}

METRICS_ZH: dict[str, tuple[str, str]] = {
    "wait_mean_min": ("平均等候时间", "分钟"),
    "wait_p90_min": ("等候时间第90百分位", "分钟"),
    "sojourn_mean_min": ("平均逗留时间", "分钟"),
    "served": ("已服务", "人"),
    "arrived": ("到达", "人"),
    "abandoned": ("中途离开", "人"),
    "blocked": ("因满员被拒", "人"),
    "in_system_end": ("结束时仍在系统内", "人"),
    "abandon_frac": ("中途离开比例", "比例"),
    "blocked_frac": ("因满员被拒比例", "比例"),
    "queue_len_mean": ("平均排队人数", "人"),
    "utilisation": ("利用率", "服务时间占比"),
    "visits_mean": ("跑动次数（每件）", "次"),
    "one_visit_share": ("最多跑一次比例", "比例"),
    "pledge_share": ("容缺受理比例", "比例"),
}

# the kind of a scope ("station" in "station:window"), for chart axes and titles
SCOPE_KINDS: dict[str, tuple[str, str]] = {
    "all": ("overall", "总体"),
    "station": ("station", "服务台"),
    "class": ("customer class", "客户类别"),
    "group": ("group", "人群"),
    "matter": ("matter", "事项"),
    "matters": ("matter type", "事项类型"),
    "department": ("department", "部门"),
    "channel": ("channel", "渠道"),
    "bank": ("window bank", "窗口组"),
    "helpers": ("helpers", "帮办代办员"),
    "hour": ("time of day", "时段"),
    "township": ("township", "乡镇"),
    "park": ("industrial park", "园区"),
    "employer": ("employer", "企业"),
    "day": ("day", "天"),
}

# free phrases that models use in figure specs (a profile's x axis), with their Chinese
PHRASES_ZH: dict[str, str] = {
    "Time of day": "时段",
    "Day": "天",
    "Day of the campaign": "活动第几天",
    "Campaign day": "活动第几天",
    "Week": "周",
    "Hour": "小时",
}

# which way is better: "lower", "higher", or "neither" where a change is good or bad only
# in context (utilisation: busier staff, but longer queues)
LOWER, HIGHER, NEITHER = "lower", "higher", "neither"
DIRECTION_VALUES = (LOWER, HIGHER, NEITHER)
DIRECTIONS: dict[str, str] = {
    "wait_mean_min": LOWER,
    "wait_p90_min": LOWER,
    "sojourn_mean_min": LOWER,
    "served": HIGHER,
    "arrived": NEITHER,
    "abandoned": LOWER,
    "blocked": LOWER,
    "in_system_end": LOWER,
    "abandon_frac": LOWER,
    "blocked_frac": LOWER,
    "queue_len_mean": LOWER,
    "utilisation": NEITHER,
    "visits_mean": LOWER,
    "one_visit_share": HIGHER,
    "pledge_share": NEITHER,
}

# a unit starting with "fraction" marks a share between 0 and 1: the report speaks of it in
# percentage points, and its intervals are kept inside [0, 1]
FRACTION_UNIT = "fraction"


class LabelConflict(ValueError):
    """A model labels a common metric or scope kind differently: two meanings, one name."""


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (known: {', '.join(LANGS)})")


class Vocabulary:
    """The words a reader sees for one model: the common ones and the model's own."""

    def __init__(self, metrics: dict, metrics_zh: dict, scope_kinds: dict, phrases_zh: dict,
                 directions: dict | None = None, scope_names_zh: dict | None = None):
        self.metrics, self.metrics_zh = metrics, metrics_zh
        self.scope_kinds, self.phrases_zh = scope_kinds, phrases_zh
        self.directions = DIRECTIONS if directions is None else directions
        self.scope_names_zh = scope_names_zh or {}

    def scope_name(self, scope: str, lang: str = "en") -> str | None:
        """The model's own name for one of its scopes in ``lang`` (None: it has none)."""
        _check_lang(lang)
        return self.scope_names_zh.get(scope) if lang == "zh" else None

    def label_unit(self, metric: str, lang: str = "en") -> tuple[str, str]:
        _check_lang(lang)
        if lang == "zh" and metric in self.metrics_zh:
            return self.metrics_zh[metric]
        return self.metrics.get(metric, (metric.replace("_", " "), ""))

    def metric_label(self, metric: str, with_unit: bool = True, lang: str = "en") -> str:
        label, unit = self.label_unit(metric, lang)
        if not (with_unit and unit):
            return label
        return f"{label}（{unit}）" if lang == "zh" and metric in self.metrics_zh else f"{label} ({unit})"

    def metric_unit(self, metric: str, lang: str = "en") -> str:
        return self.label_unit(metric, lang)[1]

    def is_fraction(self, metric: str) -> bool:
        """A share between 0 and 1 (its English unit says so: "fraction", "fraction of ...")."""
        unit = self.metrics.get(metric, ("", ""))[1]
        return unit == FRACTION_UNIT or unit.startswith(FRACTION_UNIT + " ")

    def fractions(self, metrics) -> set[str]:
        """The shares among ``metrics``."""
        return {m for m in metrics if self.is_fraction(m)}

    def direction(self, metric: str) -> str | None:
        """"lower" or "higher" (which way is better), "neither", or None when undeclared."""
        return self.directions.get(metric)

    def scope_kind_label(self, kind: str, lang: str = "en") -> str:
        _check_lang(lang)
        en, zh = self.scope_kinds.get(kind, (kind.replace("_", " "), kind.replace("_", " ")))
        return zh if lang == "zh" else en

    def phrase(self, text: str, lang: str = "en") -> str:
        """A free phrase (say, a profile's x axis) in ``lang``; English when untranslated."""
        _check_lang(lang)
        return self.phrases_zh.get(text, text) if lang == "zh" else text


def _joined(common: dict, own: dict, what: str, model_name: str) -> dict:
    for key in own.keys() & common.keys():
        if own[key] != common[key]:
            raise LabelConflict(f"model {model_name!r} labels the common {what} {key!r} as {own[key]!r}, "
                                f"not {common[key]!r}: give its own meaning its own name")
    return {**common, **own}


@lru_cache(maxsize=None)
def _vocabulary_of(model_cls) -> Vocabulary:
    if model_cls is None:
        return Vocabulary(METRICS, METRICS_ZH, SCOPE_KINDS, PHRASES_ZH, DIRECTIONS)
    name = model_cls.name
    bad = {m: d for m, d in model_cls.directions.items() if d not in DIRECTION_VALUES}
    if bad:
        raise ValueError(f"model {name!r}: direction of {next(iter(bad))!r} must be one of "
                         f"{', '.join(DIRECTION_VALUES)} (got {next(iter(bad.values()))!r})")
    return Vocabulary(_joined(METRICS, model_cls.labels, "metric", name),
                      _joined(METRICS_ZH, model_cls.labels_zh, "metric (Chinese)", name),
                      _joined(SCOPE_KINDS, model_cls.scope_kinds, "scope kind", name),
                      _joined(PHRASES_ZH, model_cls.phrases_zh, "phrase (Chinese)", name),
                      _joined(DIRECTIONS, model_cls.directions, "direction of the metric", name),
                      dict(model_cls.scope_names_zh))


def vocabulary(model=None) -> Vocabulary:
    """The vocabulary of a model (an instance or class), or the common one for None.
    Raises LabelConflict when the model gives a common name another meaning."""
    return _vocabulary_of(model if model is None or isinstance(model, type) else type(model))


# the common vocabulary as plain functions, for callers with no model in hand
def label_unit(metric: str, lang: str = "en", model=None) -> tuple[str, str]:
    return vocabulary(model).label_unit(metric, lang)


def metric_label(metric: str, with_unit: bool = True, lang: str = "en", model=None) -> str:
    return vocabulary(model).metric_label(metric, with_unit, lang)


def metric_unit(metric: str, lang: str = "en", model=None) -> str:
    return vocabulary(model).metric_unit(metric, lang)


def is_fraction(metric: str, model=None) -> bool:
    return vocabulary(model).is_fraction(metric)


def direction(metric: str, model=None) -> str | None:
    return vocabulary(model).direction(metric)


def scope_kind_label(kind: str, lang: str = "en", model=None) -> str:
    return vocabulary(model).scope_kind_label(kind, lang)


def phrase(text: str, lang: str = "en", model=None) -> str:
    return vocabulary(model).phrase(text, lang)


# -- display names: the scenario's labels: block -------------------------------------------
# a scope's kind -> the labels: kinds that may name it (a hall's window bank is a department's)
SCOPE_LABEL_KINDS = {"bank": ("department",), "matters": (), "hour": (), "day": (), "all": ()}


class DisplayNames:
    """Names as readers see them, from a scenario's ``labels:`` block
    (``{kind: {identifier: {en: ..., zh: ...}}}``, as saved with the results).  Chinese falls
    back to English; anything without a name in the language shows its identifier."""

    def __init__(self, labels: dict | None = None):
        self.labels = {kind: {str(k): dict(v) for k, v in (names or {}).items() if isinstance(v, dict)}
                       for kind, names in (labels or {}).items() if isinstance(names, dict)}

    def __bool__(self) -> bool:
        return any(self.labels.values())

    def name(self, kind: str, identifier: str, lang: str = "en") -> str:
        _check_lang(lang)
        given = self.labels.get(kind, {}).get(identifier)
        if not given:
            return identifier
        return (given.get("zh") if lang == "zh" else None) or given.get("en") or identifier

    def has(self, kind: str, identifier: str) -> bool:
        return identifier in self.labels.get(kind, {})

    def policy(self, policy: str, lang: str = "en") -> str:
        return self.name("policy", policy, lang)

    def scope(self, scope: str, lang: str = "en") -> str:
        """The name part of ``kind:name`` as readers see it (``all`` stays ``all``)."""
        if ":" not in scope:
            return scope
        kind, ident = scope.split(":", 1)
        for k in SCOPE_LABEL_KINDS.get(kind, (kind,)):
            if self.has(k, ident):
                return self.name(k, ident, lang)
        return ident


def scope_name(scope: str, lang: str, names: DisplayNames, voc: Vocabulary | None = None) -> str:
    """The name part of ``kind:name`` as readers know it: the scenario's label, else the
    model's own name for a scope it makes itself (``voc``: its vocabulary; 一般事项), else
    the identifier."""
    named = names.scope(scope, lang)
    if voc is not None and named == scope.split(":", 1)[-1]:  # no label for it
        return voc.scope_name(scope, lang) or named
    return named
