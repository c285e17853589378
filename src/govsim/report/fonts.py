"""Fonts for the charts: a CJK font found on the system for Chinese labels.

matplotlib's own DejaVu Sans has no Chinese glyphs.  ``cjk_font()`` looks for a
known CJK family among the fonts matplotlib knows and, failing that, among the font
files on the system (a font installed after matplotlib built its cache is found too),
in a fixed order of preference so the same machine always draws with the same font.
"""
from __future__ import annotations

import functools
import re
from typing import Optional

from matplotlib import font_manager

DEBIAN_PACKAGE = "fonts-noto-cjk"

# simplified-Chinese faces first; then other CJK faces, which also carry the hanzi
PREFERRED = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Sarasa Gothic SC",
    "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "SimHei", "Heiti SC", "STHeiti",
    "Noto Sans CJK TC", "Noto Sans CJK HK", "Noto Sans CJK JP", "Noto Sans CJK KR",
    "AR PL UMing CN", "AR PL UKai CN", "Droid Sans Fallback", "Noto Serif CJK SC",
)
# font files worth registering with matplotlib when its cache lacks them
FILE_PATTERN = re.compile(r"(cjk|wqy|wenquanyi|sourcehan|droidsansfallback|uming|ukai|simhei|msyh|pingfang|sarasa)",
                          re.IGNORECASE)

FALLBACK = "DejaVu Sans"  # matplotlib's own: digits, Latin, the minus sign and Δ


class FontMissing(Exception):
    """No CJK font: Chinese charts would show empty boxes."""


def _known_families() -> set[str]:
    return {entry.name for entry in font_manager.fontManager.ttflist}


@functools.lru_cache(maxsize=None)
def cjk_font() -> Optional[str]:
    """The family name of the preferred CJK font on this system, or None."""
    names = _known_families()
    found = next((f for f in PREFERRED if f in names), None)
    if found:
        return found
    for path in sorted(font_manager.findSystemFonts()):
        if FILE_PATTERN.search(path.rsplit("/", 1)[-1]):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    names = _known_families()
    return next((f for f in PREFERRED if f in names), None)


def missing_message() -> str:
    return (f"no CJK font found for Chinese chart labels: install one (Debian/Ubuntu: apt-get install "
            f"{DEBIAN_PACKAGE}) or use --lang en")


def require_cjk_font() -> str:
    font = cjk_font()
    if font is None:
        raise FontMissing(missing_message())
    return font


def font_rc(lang: str) -> dict:
    """matplotlib settings for charts in ``lang``: DejaVu Sans with a CJK font as fallback
    (English) or a CJK font first with DejaVu Sans for the glyphs it lacks (Chinese)."""
    cjk = require_cjk_font() if lang == "zh" else cjk_font()
    if lang == "zh":
        families = [cjk, FALLBACK]
    else:
        families = [FALLBACK] + ([cjk] if cjk else [])
    return {"font.family": families, "axes.unicode_minus": True}
