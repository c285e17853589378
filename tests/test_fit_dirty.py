"""Real exports: rows that make no sense are set aside by kind with their lines, and
neither they nor the export's habits (row order, date formats, encodings, column
names, midnight) change the fit."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from govsim.fit import LogError, fit_log
from govsim.fit.clean import KINDS
from govsim.fit.scenario_text import scenario_text
from govsim.fit.synthetic import Hall, Matter, example_hall, simulate


@pytest.fixture(scope="module")
def log() -> pd.DataFrame:
    return simulate(example_hall(days=7), 11)


def fitted(path, **kw) -> str:
    """The fitted scenario from `params:` on (the header counts rows, which differ)."""
    text = scenario_text(fit_log(path, **kw), "x", "govsim fit", "r")
    return text[text.index("params:"):]


@pytest.fixture(scope="module")
def clean_fit(log, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("clean") / "log.csv"
    log.to_csv(path, index=False)
    return fitted(path)


def _spoil(row: pd.Series, kind: str, n: int = 0) -> pd.Series:
    r = row.copy()
    r["ticket"] = f"X{n}"  # a new ticket, so only the intended duplicate is one
    t = pd.Timestamp(r["arrived"])
    if kind == "duplicate":
        return row.copy()
    if kind == "unreadable_time":
        r["called"] = "2024-03-99 10:00:00"
    elif kind == "missing_arrived":
        r["arrived"] = ""
    elif kind == "missing_finished":
        r["finished"] = ""
    elif kind == "unknown_matter":
        r["matter"] = "NULL"
    elif kind == "called_before_arrived":
        r["called"] = f"{t - pd.Timedelta(minutes=5):%Y-%m-%d %H:%M:%S}"
    elif kind == "finished_before_called":
        r["finished"] = f"{pd.Timestamp(r['called']) - pd.Timedelta(minutes=1):%Y-%m-%d %H:%M:%S}"
    elif kind == "finished_before_arrived":
        r["called"], r["window"] = "", ""
        r["finished"] = f"{t - pd.Timedelta(minutes=1):%Y-%m-%d %H:%M:%S}"
    elif kind == "missing_window":
        r["window"] = ""
    elif kind == "zero_service":
        r["finished"] = r["called"]
    elif kind == "over_a_day":
        r["finished"] = f"{t + pd.Timedelta(days=2):%Y-%m-%d %H:%M:%S}"
    return r


def test_dirty_rows_are_set_aside_by_kind_with_their_lines(log, clean_fit, tmp_path):
    """Two rows of each kind, spread through the file: each counted under its kind with
    its line numbers, and the fit is the clean log's to the last digit."""
    served = log[log["called"] != ""].index
    kinds = [k for k in KINDS if k != "malformed_line"]
    rows, lines = [r for _, r in log.iterrows()], {}
    step = len(log) // (2 * len(kinds) + 1)
    for i, kind in enumerate(kinds * 2):
        at = 40 + step * i  # where it goes in the file
        rows.insert(at, _spoil(log.loc[served[served < at // 2][-1]], kind, i))  # a row above: the copy comes second
    out = pd.DataFrame(rows)
    for i, kind in enumerate(kinds * 2):
        lines.setdefault(kind, []).append(40 + step * i + 2)  # the header is line 1
    text = out.to_csv(index=False).splitlines()
    text.insert(300, "A9999,tax,2024-03-05 09:00:00,,2024-03-05 09:10:00,,an extra field")  # a broken line
    (tmp_path / "dirty.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    shift = {k: [n + (n >= 301) for n in v] for k, v in lines.items()}
    fit = fit_log(tmp_path / "dirty.csv")
    c = fit.cleaned
    assert c.counts() == {"malformed_line": 1, **{k: 2 for k in kinds}}
    assert c.first_lines("malformed_line") == [301]
    for kind in kinds:
        assert c.first_lines(kind) == shift[kind], kind
    assert fitted(tmp_path / "dirty.csv") == clean_fit


def test_effect_if_kept_is_computed_where_it_can_be(log, tmp_path):
    """Keeping a row called before arrival would add a negative wait: the report shows the
    mean wait with it; a row without an arrival time cannot change tickets per day."""
    from govsim.fit.clean import effect_if_kept

    served = log[log["called"] != ""].index
    out = pd.concat([log, pd.DataFrame([_spoil(log.loc[served[3]], "called_before_arrived", 1),
                                        _spoil(log.loc[served[4]], "missing_arrived", 2)])], ignore_index=True)
    out.to_csv(tmp_path / "two.csv", index=False)
    fit = fit_log(tmp_path / "two.csv")
    table = effect_if_kept(fit.cleaned, fit.arrivals.days).set_index("kind")
    before = table.loc["called_before_arrived"]
    assert before["wait_mean_min_if_kept"] < before["wait_mean_min"]
    assert before["tickets_per_day_if_kept"] == pytest.approx(before["tickets_per_day"] + 1 / fit.arrivals.days)
    missing = table.loc["missing_arrived"]
    assert missing["tickets_per_day_if_kept"] == missing["tickets_per_day"]


def test_row_order_does_not_matter(log, clean_fit, tmp_path):
    log.iloc[::-1].to_csv(tmp_path / "reversed.csv", index=False)
    assert fitted(tmp_path / "reversed.csv") == clean_fit


def _restamp(log: pd.DataFrame, fmt: str, rows=slice(None)) -> pd.DataFrame:
    out = log.copy()
    for col in ("arrived", "called", "finished"):
        t = pd.to_datetime(out[col].iloc[rows], format="%Y-%m-%d %H:%M:%S")
        out.loc[out.index[rows], col] = t.dt.strftime(fmt).fillna("")
    return out


def test_date_formats(log, clean_fit, tmp_path):
    """Day-first dates are read with --format, or guessed when a day above 12 settles it;
    a log that switches format half-way is read with both formats given."""
    _restamp(log, "%d/%m/%Y %H:%M:%S").to_csv(tmp_path / "dmy.csv", index=False)
    assert fitted(tmp_path / "dmy.csv", formats=["%d/%m/%Y %H:%M:%S"]) == clean_fit
    longer = simulate(example_hall(days=14), 12)  # 4-17 March: the 13th on, only day-first reads it
    longer.to_csv(tmp_path / "iso.csv", index=False)
    _restamp(longer, "%d/%m/%Y %H:%M:%S").to_csv(tmp_path / "dmy14.csv", index=False)
    assert fitted(tmp_path / "dmy14.csv") == fitted(tmp_path / "iso.csv")
    half = _restamp(log, "%Y年%m月%d日 %H:%M:%S", slice(len(log) // 2, None))
    half.to_csv(tmp_path / "mixed.csv", index=False)
    assert fitted(tmp_path / "mixed.csv", formats=["%Y-%m-%d %H:%M:%S", "%Y年%m月%d日 %H:%M:%S"]) == clean_fit
    partly = fit_log(tmp_path / "mixed.csv", formats=["%Y-%m-%d %H:%M:%S"])
    assert partly.cleaned.counts()["unreadable_time"] == len(log) - len(log) // 2


def test_chinese_dates_are_read_without_a_format(log, clean_fit, tmp_path):
    """2024年3月4日 8:01:21, as Chinese exports write it (pandas's guesser does not read it)."""
    chinese = log.copy()
    for col in ("arrived", "called", "finished"):
        t = pd.to_datetime(chinese[col], format="%Y-%m-%d %H:%M:%S")
        chinese[col] = (t.dt.year.astype("Int64").astype(str) + "年" + t.dt.month.astype("Int64").astype(str) + "月"
                        + t.dt.day.astype("Int64").astype(str) + "日 " + t.dt.hour.astype("Int64").astype(str) + ":"
                        + t.dt.strftime("%M:%S")).where(t.notna(), "")
    chinese.to_csv(tmp_path / "cn_dates.csv", index=False)
    assert "年" in chinese["arrived"].iloc[0]
    assert fitted(tmp_path / "cn_dates.csv") == clean_fit


def test_ambiguous_dates_are_not_guessed(log, tmp_path):
    first_days = log[log["arrived"] < "2024-03-07"]
    _restamp(first_days, "%d/%m/%Y %H:%M:%S").to_csv(tmp_path / "amb.csv", index=False)
    with pytest.raises(LogError, match="^line 2: column 'arrived': dates such as .* day-first and month-first alike"):
        fit_log(tmp_path / "amb.csv")
    # the column as the file names it, not govsim's name for it
    _restamp(first_days, "%d/%m/%Y %H:%M:%S").rename(columns={"arrived": "取号时间"}).to_csv(tmp_path / "cn.csv",
                                                                                          index=False)
    with pytest.raises(LogError, match="^line 2: column '取号时间': dates such as"):
        fit_log(tmp_path / "cn.csv", columns={"arrived": "取号时间"})


def test_a_chinese_export_gb18030_tab_separated_with_its_own_column_names(log, clean_fit, tmp_path):
    names = {"ticket": "票号", "matter": "事项", "arrived": "取号时间", "called": "叫号时间", "finished": "结束时间",
             "window": "窗口"}
    out = log.rename(columns=names)
    out["窗口"] = out["窗口"].str.replace("Window ", "综合窗口")
    (tmp_path / "cn.csv").write_bytes(out.to_csv(index=False, sep="\t").encode("gb18030"))
    mapping = {k: v for k, v in names.items()}
    assert yaml.safe_load(fitted(tmp_path / "cn.csv", columns=mapping)) == yaml.safe_load(clean_fit)  # comments name the windows


def test_times_of_day_cross_midnight(tmp_path):
    """An export that gives called and finished as times of day only: read on the
    arrival's date, or the next when they would come before it."""
    night = [15] * 2 + [0] * 20 + [15] * 2
    log = simulate(Hall({"a": Matter(night, {"dist": "lognormal", "mean": 10.0, "cv": 0.5})},
                        [("00:00", 3), ("02:00", 0), ("22:00", 3)], days=5), 6)
    log.to_csv(tmp_path / "full.csv", index=False)
    short = log.copy()
    for col in ("called", "finished"):
        short[col] = short[col].str[11:]
    assert (short["finished"] < short["arrived"].str[11:]).any()  # some do cross midnight
    short.to_csv(tmp_path / "short.csv", index=False)
    assert fitted(tmp_path / "short.csv") == fitted(tmp_path / "full.csv")
    assert not fit_log(tmp_path / "short.csv").cleaned.counts()


def test_an_unknown_matter_never_becomes_a_class(log, tmp_path):
    out = log.copy()
    out.loc[out.index[::50], "matter"] = "未知"
    out.to_csv(tmp_path / "unknown.csv", index=False)
    fit = fit_log(tmp_path / "unknown.csv")
    assert fit.cleaned.counts() == {"unknown_matter": len(out.index[::50])}
    assert sorted(fit.classes) == ["business_licence", "social_security", "tax"]


def test_rare_matters_share_one_class_and_names_become_identifiers(log, tmp_path):
    out = log.copy()
    out.loc[out.index[:12], "matter"] = ["护照", "户籍"] * 6  # two matters of 6 tickets each
    out.loc[out["matter"] == "tax", "matter"] = "税务 (tax)"
    out.to_csv(tmp_path / "rare.csv", index=False)
    fit = fit_log(tmp_path / "rare.csv")
    assert "other" in fit.classes and sorted(fit.matters["other"]) == ["户籍", "护照"]
    assert "tax" in fit.classes and fit.matters["tax"] == ["税务 (tax)"]


def test_an_unclosed_quote_is_one_line_naming_its_line(log, tmp_path):
    """A parser reads an open quote to the next one, perhaps the end of the file: the
    tickets between would be lost (or the reader fails on a field too large)."""
    lines = log.to_csv(index=False).splitlines()
    lines[15] = lines[15].replace(",", ',"', 1)  # line 16 of the file
    (tmp_path / "quote.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(LogError, match=r"^line 16: a quote \(\"\) is opened and not closed on that line"):
        fit_log(tmp_path / "quote.csv")


def test_a_format_change_after_an_impossible_date_is_still_guessed(tmp_path):
    """The guess used to start from the first value still unread: an impossible date in the
    first format (31 February) was guessed as that format again, and every row of the new
    format after it was set aside."""
    longer = simulate(example_hall(days=14), 12)  # 4-17 March: the second week's days above 12 settle day-first
    mixed = _restamp(longer, "%d/%m/%Y %H:%M:%S", slice(len(longer) // 2, None))
    mixed.loc[mixed.index[3], "called"] = "2024-02-31 10:00:00"
    mixed.to_csv(tmp_path / "mixed.csv", index=False)
    fit = fit_log(tmp_path / "mixed.csv")
    assert fit.cleaned.counts() == {"unreadable_time": 1}


def test_a_time_of_day_hours_before_the_arrival_is_a_wrong_row_not_a_night_service(log, clean_fit, tmp_path):
    """Finished '07:00' for a ticket taken at 09:20 is nearer the same morning (a wrong row,
    set aside) than the next day (a 21-hour service keeping a window open all night)."""
    short = log.copy()
    short["finished"] = short["finished"].str[11:]
    row = short.index[(short["called"] != "") & (short["arrived"].str[11:13] == "09")][0]
    short.loc[row, "finished"] = "07:00:00"
    short.to_csv(tmp_path / "tod.csv", index=False)
    fit = fit_log(tmp_path / "tod.csv")
    counts = fit.cleaned.counts()
    assert sum(counts.values()) == 1 and set(counts) <= {"finished_before_arrived", "finished_before_called"}, counts


def test_arrivals_of_a_poisson_hall_are_not_called_overdispersed():
    """The example hall's arrivals are Poisson with a weekday profile and closed weekends:
    over the open days, within each weekday, the variance over the mean is about 1 (each
    hour's ratio has a standard error of about sqrt(2 / (days - 1)), 0.6 with 2 weeks of each
    weekday; their mean over the open hours much less).  Counting closed days as zeros
    made it 6 to 9."""
    from govsim.fit.arrivals import fit_arrivals

    log = simulate(example_hall(days=28), 5)
    arrived = pd.to_datetime(log["arrived"])
    a = fit_arrivals(arrived, np.zeros(len(log), np.int64), ["all"])
    d = a.dispersion[~np.isnan(a.dispersion)]
    assert a.weekly and len(d) >= 8
    assert abs(d.mean() - 1.0) < 3 * np.sqrt(2 / 3) / np.sqrt(len(d)), d
