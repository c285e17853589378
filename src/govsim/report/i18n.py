"""The report's own words in English and Chinese.  Metric labels live in ``govsim.labels``."""
from __future__ import annotations

from ..labels import LANGS

TEXT: dict[str, dict[str, str]] = {
    # figures
    "policy": {"en": "Policy", "zh": "政策"},
    "legend_policy": {"en": "policy", "zh": "政策"},
    "mean_ci": {"en": "mean, 95% CI", "zh": "均值，95% 置信区间"},
    "fig_key": {"en": "{label} by policy (mean, 95% CI)", "zh": "各政策的{label}（均值，95% 置信区间）"},
    "fig_stacked": {"en": "Where the time goes, by {kind}: {labels} (means)",
                    "zh": "时间花在哪里（按{kind}）：{labels}（均值）"},
    "fig_breakdown": {"en": "{label} by {kind} (mean, 95% CI)", "zh": "按{kind}的{label}（均值，95% 置信区间）"},
    "fig_profile": {"en": "{label}: {xlabel} (mean, 95% CI)", "zh": "{label}：{xlabel}（均值，95% 置信区间）"},
    "fig_forest": {"en": "Difference from '{baseline}' (paired by replication, 95% CI)",
                   "zh": "与“{baseline}”的差值（按重复运行配对，95% 置信区间）"},
    "fig_forest_axis": {"en": "Δ {label}", "zh": "{label}之差"},
    "fig_forest_axis_pp": {"en": "Δ {label} (percentage points)", "zh": "{label}之差（百分点）"},
    "fig_dist": {"en": "Spread over replications (box: quartiles; ◆: mean; dots: replications)",
                 "zh": "各次重复运行结果的分布（箱：四分位；◆：均值；点：每次运行）"},
    "overall": {"en": "overall", "zh": "总体"},
    # sections
    "title": {"en": "{name}: policy comparison", "zh": "{name}：政策比较"},
    "subtitle": {"en": "govsim report · model {model} · {reps} replication{s} per policy · run {started}",
                 "zh": "govsim 报告 · 模型 {model} · 每个政策 {reps} 次重复运行 · 运行于 {started}"},
    "contents": {"en": "Contents", "zh": "目录"},
    "sec_answer": {"en": "1. Question and answer", "zh": "1. 问题与结论"},
    "sec_baselines": {"en": "2. Article baselines", "zh": "2. 报道数据基准"},
    "sec_charts": {"en": "3. Charts", "zh": "3. 图表"},
    "sec_model": {"en": "4. Model logic and assumptions", "zh": "4. 模型逻辑与假设"},
    "sec_experiment": {"en": "5. Experiment", "zh": "5. 实验设置"},
    # 1
    "question": {"en": "Question", "zh": "问题"},
    "warning": {"en": "Warning", "zh": "警告"},
    "warning_lead": {"en": "Warning.", "zh": "警告："},
    "cli_warning": {"en": "Warning: {line}", "zh": "警告：{line}"},
    "cli_policy_warning": {"en": "policy '{policy}': {warning}", "zh": "政策“{policy}”：{warning}"},
    "question_text": {
        "en": "Against the baseline policy {baseline}, what do {others} change in {metrics}?",
        "zh": "与基准政策 {baseline} 相比，{others} 在{metrics}上有何变化？"},
    "question_none": {"en": "Only the baseline policy {baseline} was run: there is nothing to compare it with.",
                      "zh": "只运行了基准政策 {baseline}，没有可比较的政策。"},
    "answer": {"en": "Answer", "zh": "结论"},
    "answer_note": {
        "en": "Each difference is paired by replication (every policy meets the same visitors), "
              "with its 95% confidence interval. Better or worse: the whole interval lies on the metric's good or "
              "bad side of no change (lower is better for waits and times, higher for shares done in one visit); "
              "no clear change: the interval includes no change, so the runs cannot tell the policies apart on "
              "this metric; changed: a clear change of a metric that is neither better nor worse in itself "
              "(utilisation). The sentences are for the whole system (scope all); summary.csv and comparison.csv "
              "break every metric down by scope, and the article baselines below may use a narrower one.",
        "zh": "每个差值都按重复运行配对（各政策面对同样的来访者），并给出 95% 置信区间。"
              "“更好”或“更差”：整个区间都落在该指标好的一侧或差的一侧（等候和办理时间越低越好，一次办结比例越高越好）；"
              "“无明显变化”：区间包含零，这些运行无法在该指标上区分两个政策；"
              "“有变化”：该指标本身无所谓好坏（如利用率），但变化超出随机波动。以下结论针对整个系统（范围 all）；"
              "summary.csv 和 comparison.csv 按范围细分每个指标，下文的报道基准可能使用更窄的范围。"},
    "detail": {"en": "Each policy against the baseline, metric by metric", "zh": "各政策与基准逐项比较"},
    "key_table_part": {"en": "Key metrics by policy: mean (95% CI), part {i} of {n}",
                       "zh": "各政策的关键指标：均值（95% 置信区间），第 {i} 部分，共 {n} 部分"},
    # the bottom line
    "bottom_line": {"en": "Bottom line", "zh": "要点"},
    "bl_better_all": {"en": "Better than {baseline} on every key metric: {policies}.",
                      "zh": "在每个关键指标上都优于 {baseline}：{policies}。"},
    "bl_better_some": {"en": "Better on some key metrics and worse on none: {items}.",
                       "zh": "部分关键指标更好、没有更差的：{items}。"},
    "bl_worse": {"en": "Worse on at least one key metric: {items}.", "zh": "至少一个关键指标更差：{items}。"},
    "bl_no_clear": {"en": "No clear change on any key metric: {policies}.", "zh": "所有关键指标都无明显变化：{policies}。"},
    "bl_neither": {"en": "({metrics}: neither better nor worse in itself, not counted.)",
                   "zh": "（{metrics}本身无所谓好坏，不计入。）"},
    "bl_worse_on": {"en": "worse: {metrics}", "zh": "更差：{metrics}"},
    "bl_better_on": {"en": "better: {metrics}", "zh": "更好：{metrics}"},
    "bl_rank": {"en": "By {label}, best first: {items}.", "zh": "按{label}排序（最好的在前）：{items}。"},
    "bl_rank_note": {"en": "Neighbours whose intervals overlap may swap places in another set of runs.",
                     "zh": "区间相互重叠的相邻政策，换一组运行可能交换位置。"},
    "bl_changes": {"en": "What {policy} changes against {baseline}: {changes}.",
                   "zh": "{policy} 相对 {baseline} 改变的参数：{changes}。"},
    "bl_changes_more": {"en": "{n} more in section 4", "zh": "另有 {n} 项见第 4 节"},
    "bl_changes_none": {"en": "nothing in the parameters", "zh": "参数无变化"},
    "bl_cost": {"en": "{label}: {items}.", "zh": "{label}：{items}。"},
    "bl_baselines": {"en": "Article baselines: {counts}.", "zh": "报道数据基准：{counts}。"},
    "bl_baselines_none": {"en": "The scenario declares no article figures to check.", "zh": "本情景没有声明需核对的报道数据。"},
    "bl_count": {"en": "{n} {verdict}", "zh": "{verdict} {n} 项"},
    "bl_baseline_item": {"en": "{id}, {verdict}: {policy}, {metric} {simulated}, the article {expected}.",
                         "zh": "{id}，{verdict}：{policy}，{metric} 模拟值 {simulated}，报道 {expected}。"},
    "bl_yes": {"en": "reproduced", "zh": "已复现"},
    "bl_no": {"en": "not reproduced", "zh": "未复现"},
    "bl_nothing": {"en": "Only the baseline was run.", "zh": "只运行了基准政策。"},
    "key_table": {"en": "Key metrics by policy: mean (95% CI)", "zh": "各政策的关键指标：均值（95% 置信区间）"},
    "metric": {"en": "Metric", "zh": "指标"},
    "baseline_mark": {"en": "baseline", "zh": "基准"},
    "and": {"en": " and ", "zh": "和"},
    "list_sep": {"en": ", ", "zh": "、"},
    # sentences
    "s_rel": {"en": "With {policy}, {label} {verb} {pct} (95% CI {ci}) against {baseline}, from {base_val} to {val}{unit}.",
              "zh": "采用 {policy} 时，{label}比 {baseline} {verb} {pct}（95% 置信区间 {ci}），从 {base_val} 到 {val}{unit}。"},
    "s_pp": {"en": "With {policy}, {label} {verb} {pct} percentage points (95% CI {ci}) against {baseline}, from {base_val} to {val}.",
             "zh": "采用 {policy} 时，{label}比 {baseline} {verb} {pct} 个百分点（95% 置信区间 {ci}），从 {base_val} 到 {val}。"},
    "s_abs": {"en": "With {policy}, {label} {verb} {amount}{unit} (95% CI {ci}) against {baseline}, from {base_val} to {val}.",
              "zh": "采用 {policy} 时，{label}比 {baseline} {verb} {amount}{unit}（95% 置信区间 {ci}），从 {base_val} 到 {val}。"},
    "s_same": {"en": "With {policy}, {label} is the same as with {baseline} in every replication ({val}{unit}).",
               "zh": "采用 {policy} 时，{label}在每次重复运行中都与 {baseline} 相同（{val}{unit}）。"},
    "s_missing": {"en": "With {policy}, {label} cannot be compared with {baseline}: no value in one of them.",
                  "zh": "采用 {policy} 时，{label}无法与 {baseline} 比较：其中一方没有数值。"},
    "c_pp": {"en": "{amount} percentage points ({ci})", "zh": "{amount} 个百分点（{ci}）"},
    "c_rel": {"en": "{amount} ({ci})", "zh": "{amount}（{ci}）"},
    "c_abs": {"en": "{amount}{unit} ({ci})", "zh": "{amount}{unit}（{ci}）"},
    "falls": {"en": "falls", "zh": "下降"},
    "rises": {"en": "rises", "zh": "上升"},
    "changes": {"en": "changes by", "zh": "变化"},
    # badges
    "better": {"en": "better", "zh": "更好"},
    "worse": {"en": "worse", "zh": "更差"},
    "no_clear": {"en": "no clear change", "zh": "无明显变化"},
    "changed": {"en": "changed", "zh": "有变化"},
    "no_interval": {"en": "no interval (one replication)", "zh": "无区间（仅一次运行）"},
    "": {"en": "", "zh": ""},
    "ci_to": {"en": "{lo} to {hi}", "zh": "{lo} 至 {hi}"},
    "ci95": {"en": "95% CI", "zh": "95% 置信区间"},
    # 2
    "baselines_intro": {
        "en": "Figures reported in the articles, checked against the simulation. A figure is reproduced "
              "only when the whole 95% interval of the simulated value meets the claim. A figure marked "
              "calibrated is one an unknown input was set from: meeting it shows the calibration held, "
              "not that the model explains it.",
        "zh": "报道中的数字与模拟结果对照：只有模拟值的整个 95% 置信区间都满足报道的说法，才算复现。"
              "标为“已校准”的数字曾被用来设定某个未知输入：满足它只说明校准成立，并不说明模型解释了它。"},
    "baselines_none": {"en": "This scenario declares no article figures.", "zh": "本情景没有声明报道数据基准。"},
    "b_id": {"en": "Figure", "zh": "编号"},
    "b_source": {"en": "Source", "zh": "出处"},
    "b_policy": {"en": "Policy", "zh": "政策"},
    "b_metric": {"en": "Metric", "zh": "指标"},
    "b_expected": {"en": "Expected", "zh": "报道值"},
    "b_simulated": {"en": "Simulated (95% CI)", "zh": "模拟值（95% 置信区间）"},
    "b_reproduced": {"en": "Reproduced", "zh": "是否复现"},
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
    "not run": {"en": "not run", "zh": "未运行"},
    "calibrated": {"en": "calibrated", "zh": "已校准"},
    "undecided": {"en": "undecided: interval too wide ({n} replications)", "zh": "未定：区间过宽（{n} 次重复运行）"},
    # why --replications auto stopped where it did (terminal and report)
    "auto_reached": {"en": "{n} replications, chosen by --replications auto: every key metric's 95% interval is within "
                           "{precision}% of its mean, a share's of the larger of it and its complement (the last to get "
                           "there: {metric}, {worst}%; Law's sequential procedure, whose target of {target}% judges "
                           "against the estimated mean)",
                     "zh": "{n} 次重复运行，由 --replications auto 决定：每个关键指标的 95% 置信区间半宽都在其均值的 "
                           "{precision}% 以内，比例指标按其本身与其补数中较大者计（最后达到的：{metric}，{worst}%；Law 序贯方法，按估计均值判断的目标为 {target}%）"},
    "auto_capped": {"en": "{n} replications, the most --max-replications allows: the widest interval is ±{worst}% of "
                          "its mean, a share's of the larger of it and its complement ({metric}), above the target of "
                          "{target}% ({precision}% judged against the estimated mean): wider than asked",
                    "zh": "{n} 次重复运行，已达 --max-replications 上限：最宽的区间为其均值（比例指标按其本身与其补数中较大者计）的 ±{worst}%（{metric}），高于目标 "
                          "{target}%（按估计均值判断的 {precision}%）：比要求的宽"},
    "auto_unjudged": {"en": "{n} replications, the most --max-replications allows: the interval of {metric} cannot "
                            "be judged (its mean is 0, or it has fewer than two values), so it is not within {precision}%",
                      "zh": "{n} 次重复运行，已达 --max-replications 上限：{metric} 的区间无法判断（均值为 0 或少于两个值），"
                            "未达到 {precision}% 以内"},
    # the terminal after govsim run
    "cli_baselines": {"en": "Article baselines (reproduced when the whole 95% CI meets the claim;\n"
                            "  calibrated: an input was set from it)",
                      "zh": "报道数字是否复现（整个 95% 置信区间都满足报道时为已复现；\n  已校准：某项输入由它设定）"},
    "cli_expected": {"en": "expected {expected}; simulated {simulated} (95% CI {low} to {high})",
                     "zh": "报道 {expected}；模拟 {simulated}（95% 置信区间 {low} 至 {high}）"},
    "cli_progress": {"en": "{name}: {policies} × {reps}",  # counts with their nouns (1 policy, 2 policies)
                     "zh": "{name}：{policies} 个政策 × {reps} 次重复运行"},
    "cli_progress_sensitivity": {"en": "{name}: {inputs} × 2 + base, {policies} × {reps}",  # counts with their nouns
                                 "zh": "{name}：{inputs} 项输入 × 2 + 基准，{policies} 个政策 × {reps} 次重复运行"},
    "cli_not_run": {"en": "expected {expected}; not simulated: its policy was not among those run",
                    "zh": "报道 {expected}；未模拟：其政策不在本次运行之中"},
    "cli_relative": {"en": " (relative change vs {policy})", "zh": "（相对{policy}的变化）"},
    "cli_robust": {"en": "robust: {robust}", "zh": "稳健性：{robust}"},
    "cli_depends": {"en": "What each key metric depends on most (its mean at the base values; at the input's low "
                          "and high, where the paired change is beyond the noise):",
                    "zh": "各关键指标最受哪项输入影响（基准值下的均值；该输入取低值和高值时的均值，仅列出配对变化超出噪声者）："},
    "cli_depends_one": {"en": "What each key metric depends on most (its mean at the base values; at the input's low "
                              "and high; one replication: the noise is not judged):",
                        "zh": "各关键指标最受哪项输入影响（基准值下的均值；该输入取低值和高值时的均值；仅一次重复运行，未判断噪声）："},
    "cli_depends_none": {"en": "No uncertain input moves a key metric between its low and high beyond the noise "
                               "(every 95% interval of the paired change holds 0).",
                         "zh": "没有任何不确定输入在其低值与高值之间使关键指标发生超出噪声的变化（配对变化的 95% 置信区间均包含 0）。"},
    "cli_depends_line": {"en": "{base} at base; {input}: {low} at low, {high} at high",
                         "zh": "基准 {base}；{input}：低值 {low}，高值 {high}"},
    "cli_written_files": {"en": "Results written to [bold]{out}[/bold]: {files}",
                          "zh": "结果已写入 [bold]{out}[/bold]：{files}"},
    "cli_written": {"en": "Results written to [bold]{out}[/bold]; the report: [bold]{report}[/bold]",
                    "zh": "结果已写入 [bold]{out}[/bold]；报告：[bold]{report}[/bold]"},
    # 3
    "charts_intro": {
        "en": "Every chart is drawn from the saved tables (summary.csv, comparison.csv, replications.csv); "
              "each policy keeps its colour throughout. The same charts are in {dir}/ as PNG files.",
        "zh": "所有图表都由保存的表格（summary.csv、comparison.csv、replications.csv）绘制；"
              "每个政策在所有图中颜色相同。{dir}/ 文件夹中有相同图表的 PNG 文件。"},
    "h_forest": {"en": "Differences from the baseline", "zh": "与基准的差值"},
    "h_key": {"en": "Key metrics by policy", "zh": "各政策的关键指标"},
    "h_dist": {"en": "Distributions over replications", "zh": "重复运行结果的分布"},
    "h_profile": {"en": "Profiles", "zh": "随时间的变化"},
    "h_util": {"en": "Utilisation", "zh": "利用率"},
    "h_breakdown": {"en": "Breakdowns", "zh": "分项"},
    "file": {"en": "file", "zh": "文件"},
    # 4
    "model_kind": {"en": "Model", "zh": "模型"},
    "model_docs": {"en": "The full description, in the STRESS-DES order, is docs/models/{name}.md in the govsim sources.",
                   "zh": "完整说明（按 STRESS-DES 顺序）见 govsim 源代码中的 docs/models/{name}.md。"},
    "model_text_en_only": {"en": "", "zh": "（以下模型说明为英文。）"},
    "scenario_about": {"en": "The scenario", "zh": "情景"},
    "h_params_diff": {"en": "Parameters that differ between policies", "zh": "各政策不同的参数"},
    "params_diff_intro": {"en": "Resolved values (each policy's overlay merged onto the base parameters); "
                                "values that differ from the baseline are highlighted.",
                          "zh": "合并后的参数值（各政策的调整叠加在基础参数上）；与基准不同的值已高亮。"},
    "params_same": {"en": "All policies have the same parameters.", "zh": "各政策参数完全相同。"},
    "h_params_all": {"en": "All resolved parameters of each policy", "zh": "各政策的全部参数"},
    "parameter": {"en": "Parameter", "zh": "参数"},
    "params_all_print": {"en": "All {n} resolved parameters of each policy are on screen (folded) and in "
                               "scenario.resolved.yaml.",
                         "zh": "各政策全部 {n} 个参数见屏幕版（已折叠）及 scenario.resolved.yaml。"},
    "h_assumptions": {"en": "Assumptions stated in the scenario file", "zh": "情景文件中说明的假设"},
    "assumptions_intro": {"en": "Every comment of the scenario file, beside the setting it explains.",
                          "zh": "情景文件中的全部注释，列在其说明的设置旁（保留原文）。"},
    "assumptions_none": {"en": "The scenario file was not saved with these results, so its comments cannot be shown.",
                         "zh": "这些结果没有保存情景文件，无法列出其注释。"},
    "assumptions_empty": {"en": "The scenario file has no comments.", "zh": "情景文件没有注释。"},
    "a_line": {"en": "Line", "zh": "行"},
    "a_setting": {"en": "Setting", "zh": "设置"},
    "a_value": {"en": "Value", "zh": "值"},
    "a_comment": {"en": "Comment", "zh": "注释"},
    "a_header": {"en": "(file header)", "zh": "（文件开头）"},
    # 5
    "e_replications": {"en": "Replications per policy", "zh": "每个政策的重复运行次数"},
    "e_seed": {"en": "Base seed", "zh": "基础随机种子"},
    "e_streams": {"en": "Random numbers", "zh": "随机数"},
    "e_streams_text": {
        "en": "one stream per decision point, seeded from SeedSequence(seed, spawn_key=(replication, crc32(name))): "
              "every policy sees the same draws in a replication (common random numbers)",
        "zh": "每个决策点一个随机数流，由 SeedSequence(seed, spawn_key=(重复序号, crc32(名称))) 生成："
              "同一次重复运行中各政策抽到相同的随机数（公共随机数）"},
    "e_length": {"en": "Run length", "zh": "运行长度"},
    "e_warmup": {"en": "Warm-up", "zh": "预热期"},
    "e_days": {"en": "{n} days", "zh": "{n} 天"},
    "e_minutes": {"en": "{n} minutes", "zh": "{n} 分钟"},
    "e_none": {"en": "none", "zh": "无"},
    "e_intervals": {"en": "Intervals", "zh": "置信区间"},
    "e_intervals_text": {
        "en": "{confidence:.0%} Student-t intervals over replications; differences from the baseline are paired "
              "by replication; a relative interval is the paired interval divided by the baseline's mean, and no "
              "relative change is given where the baseline's own interval includes zero. Shares (between 0 and 1) "
              "change in percentage points, and their intervals are clipped to [0, 1] (differences to [−1, 1]); "
              "counts, times and costs, never negative, have intervals that stop at 0: the true value lies in "
              "that range, so clipping keeps the coverage.",
        "zh": "基于各次重复运行的 {confidence:.0%} Student-t 区间；与基准的差值按重复运行配对；"
              "相对变化的区间为配对区间除以基准均值，基准自身的区间包含零时不给出相对变化。"
              "比例（0 到 1 之间）的变化以百分点表示，其区间截取在 [0, 1] 之内（差值截取在 [−1, 1] 之内）；"
              "件数、时间和成本不会为负，其区间下限截取在 0：真值必在此范围内，截取不改变覆盖率。"},
    "e_policies": {"en": "Policies", "zh": "政策"},
    "e_command": {"en": "Command", "zh": "命令"},
    "e_started": {"en": "Started (UTC)", "zh": "开始时间（UTC）"},
    "e_runtime": {"en": "Run time", "zh": "运行时间"},
    "e_runtime_text": {"en": "{s} s on {jobs} worker process(es)", "zh": "{s} 秒，{jobs} 个工作进程"},
    "e_resumed": {"en": " (this run's time: {n} finished tasks, each a policy's replication, were reused from an "
                        "earlier, unfinished run)",
                  "zh": "（本次运行的时间：{n} 个已完成的任务（每个为一项政策的一次重复运行）取自此前未完成的运行）"},
    "e_scenario": {"en": "Scenario file", "zh": "情景文件"},
    "e_software": {"en": "Software", "zh": "软件"},
    "e_platform": {"en": "Platform", "zh": "平台"},
    "footer": {"en": "Written by govsim {version} from the tables in this results folder; "
                     "`govsim report FOLDER` rebuilds it without rerunning.",
               "zh": "由 govsim {version} 根据本结果文件夹中的表格生成；"
                     "`govsim report 文件夹` 可不重新运行而重建本报告。"},
}


def t(key: str, lang: str, **values) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    text = TEXT[key][lang]
    return text.format(**values) if values else text
