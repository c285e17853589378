"""govsim.labels: the common vocabulary joined with a model's own words, per model,
with no global registry; a model that gives a common name another meaning is refused."""
from __future__ import annotations

import pytest

from govsim import labels
from govsim.labels import LabelConflict, vocabulary
from govsim.model_api import Model
from govsim.models import MODELS


class Kiosks(Model):
    name = "kiosks"
    labels = {"tickets_printed": ("Tickets printed", "tickets"), "kiosk_share": ("Share at a kiosk", "fraction")}
    labels_zh = {"tickets_printed": ("打印票数", "张")}
    scope_kinds = {"kiosk": ("kiosk", "自助机")}
    phrases_zh = {"Ticket number": "票号"}


def test_a_models_words_join_the_common_ones():
    voc = vocabulary(Kiosks)
    assert voc.metric_label("tickets_printed") == "Tickets printed (tickets)"
    assert voc.metric_label("tickets_printed", lang="zh") == "打印票数（张）"
    assert voc.metric_label("tickets_printed", with_unit=False, lang="zh") == "打印票数"
    assert voc.metric_label("wait_mean_min", lang="zh") == "平均等候时间（分钟）"  # common
    assert voc.scope_kind_label("kiosk", "zh") == "自助机" and voc.scope_kind_label("station", "zh") == "服务台"
    assert voc.phrase("Ticket number", "zh") == "票号" and voc.phrase("Time of day", "zh") == "时段"
    assert voc.phrase("Ticket number") == "Ticket number"


def test_fallbacks_english_for_untranslated_and_the_name_for_unknown():
    voc = vocabulary(Kiosks)
    assert voc.label_unit("kiosk_share", "zh") == ("Share at a kiosk", "fraction")
    assert voc.metric_label("kiosk_share", lang="zh") == "Share at a kiosk (fraction)"  # English brackets too
    assert voc.metric_label("no_such_metric") == "no such metric"
    assert voc.scope_kind_label("no_such_kind", "zh") == "no such kind"
    assert voc.phrase("An untranslated axis", "zh") == "An untranslated axis"


def test_a_fraction_is_known_by_its_english_unit():
    voc = vocabulary(Kiosks)
    assert voc.is_fraction("kiosk_share") and voc.is_fraction("utilisation")  # "fraction of server time"
    assert not voc.is_fraction("tickets_printed") and not voc.is_fraction("no_such_metric")


def test_a_model_is_its_own_vocabulary_and_leaks_nowhere():
    assert vocabulary(Kiosks()) is vocabulary(Kiosks)  # an instance means its class
    for voc in [vocabulary()] + [vocabulary(m) for m in MODELS.values()]:
        assert "tickets_printed" not in voc.metrics and "kiosk" not in voc.scope_kinds
        assert "Ticket number" not in voc.phrases_zh
    # the module functions speak the common vocabulary unless given a model
    assert labels.metric_label("tickets_printed") == "tickets printed"
    assert labels.metric_label("tickets_printed", model=Kiosks) == "Tickets printed (tickets)"
    assert labels.phrase("Ticket number", "zh", model=Kiosks) == "票号"
    assert not hasattr(labels, "register")


@pytest.mark.parametrize("attribute,value,words", [
    ("labels", {"wait_mean_min": ("Average delay", "hours")}, "common metric 'wait_mean_min'"),
    ("labels_zh", {"wait_mean_min": ("平均延误", "小时")}, "common metric (Chinese) 'wait_mean_min'"),
    ("scope_kinds", {"station": ("desk", "柜台")}, "common scope kind 'station'"),
    ("phrases_zh", {"Time of day": "钟点"}, "common phrase (Chinese) 'Time of day'"),
])
def test_a_model_relabelling_a_common_word_is_refused(attribute, value, words):
    relabelling = type("Relabelling", (Model,), {"name": "relabelling", attribute: value})
    with pytest.raises(LabelConflict, match=words.replace("(", r"\(").replace(")", r"\)")):
        vocabulary(relabelling)
    # repeating the common words word for word is no conflict
    common = {"labels": labels.METRICS, "labels_zh": labels.METRICS_ZH, "scope_kinds": labels.SCOPE_KINDS,
              "phrases_zh": labels.PHRASES_ZH}[attribute]
    key = next(iter(value))
    same = type("Repeating", (Model,), {"name": "repeating", attribute: {key: common[key]}})
    assert vocabulary(same).__dict__ == vocabulary().__dict__


def test_unknown_language_is_refused():
    voc = vocabulary()
    for call in (lambda: voc.label_unit("served", "fr"), lambda: voc.scope_kind_label("station", "fr"),
                 lambda: voc.phrase("Day", "fr")):
        with pytest.raises(ValueError, match="unknown language 'fr'"):
            call()


def test_every_registered_model_has_both_languages_for_every_metric():
    """Through the model's vocabulary, and in Chinese truly Chinese (no English fallback)."""
    for model in MODELS.values():
        voc = vocabulary(model)
        for metric in model.metrics:
            en, zh = voc.label_unit(metric, "en"), voc.label_unit(metric, "zh")
            assert metric in voc.metrics and metric in voc.metrics_zh, (model.name, metric)
            assert zh != en and not zh[0].isascii(), (model.name, metric, zh)


def test_hall_and_licence_each_say_what_open_end_means_to_them():
    hall, licence = vocabulary(MODELS["service_hall"]), vocabulary(MODELS["licence"])
    assert hall.label_unit("open_end") == MODELS["service_hall"].labels["open_end"]
    assert licence.label_unit("open_end") == MODELS["licence"].labels["open_end"]
    assert hall.label_unit("open_end") != licence.label_unit("open_end")
    assert "open_end" not in vocabulary().metrics  # no common meaning to fall back on
    assert "acceptance_time_mean_h" in hall.metrics and "acceptance_time_mean_h" not in vocabulary().metrics


def test_a_model_names_its_own_scopes_in_chinese_after_the_scenarios_labels():
    """Scopes a model makes itself (its banks, the back office) have a Chinese name from the
    model; a labels: entry still comes first, and English readers see the identifier."""
    from govsim.labels import DisplayNames
    from govsim.models.service_hall import ServiceHallModel
    from govsim.report.figures import _short

    voc = vocabulary(ServiceHallModel)
    plain = DisplayNames({})
    assert _short("back_office", "zh", plain, voc) == "后台审批"
    assert _short("bank:comprehensive", "zh", plain, voc) == "综合窗口"
    assert _short("bank:comprehensive", "en", plain, voc) == "comprehensive"
    named = DisplayNames({"department": {"health": {"en": "Health", "zh": "卫生健康"}}})
    assert _short("bank:health", "zh", named, voc) == "卫生健康"
    assert _short("bank:unknown_bank", "zh", named, voc) == "unknown_bank"
