"""report.html in a real headless Chromium (Debian's, driven by Playwright): every
image loads, no request leaves the page, the sections are there in order; a
screenshot is saved under the test's temporary folder.

Without Chromium (or Playwright) the tests skip locally with the reason; in CI
(CI=true), where .ci/run installs both, they fail instead of skipping silently.
"""
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govsim.cli import app
from govsim.report import fonts

from conftest import MMC_DEMO

pytestmark = pytest.mark.browser

runner = CliRunner()
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("GOVSIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# without the background-networking flags Chromium reaches out at start; the sandbox
# needs user namespaces that CI (root, in a container) lacks
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHORT = MMC_DEMO.replace("horizon_min: 20000", "horizon_min: 3000").replace("warmup_min: 2000", "warmup_min: 300")
SECTIONS = ["answer", "baselines", "charts", "model", "experiment"]


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason}: CI must run the browser test (.ci/run installs chromium)")
    pytest.skip(f"{reason} (apt-get install chromium; pip install playwright); CI runs this test")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed")
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM}")
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh, empty user-data-dir
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, headless=True,
                                                   args=FLAGS, viewport={"width": 1200, "height": 900})
        try:
            yield ctx
        finally:
            ctx.close()


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    (folder / "mmc.yaml").write_text(SHORT)
    out = folder / "out"
    result = runner.invoke(app, ["run", str(folder / "mmc.yaml"), "--out", str(out), "-r", "3", "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    return out


def render(browser, report: Path, screenshot: Path) -> dict:
    """Open the report, watch every request, and read what a reader would see."""
    page = browser.new_page()
    url = report.resolve().as_uri()
    requests, blocked, errors = [], [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def guard(route):
        if route.request.url == url or route.request.url.startswith("data:"):
            route.continue_()
        else:  # never let anything leave the page
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    try:
        page.goto(url, wait_until="load")
        seen = {
            "lang": page.get_attribute("html", "lang"),
            "sections": page.eval_on_selector_all("section[id]", "els => els.map(e => e.id)"),
            "h2": page.eval_on_selector_all("h2", "els => els.map(e => e.textContent.trim())"),
            "images": page.eval_on_selector_all(
                "img", "els => els.map(e => ({ok: e.complete && e.naturalWidth > 0, w: e.naturalWidth,"
                       " shown: e.getBoundingClientRect().width, src: e.src.slice(0, 22)}))"),
            "sentences": page.eval_on_selector_all("#answer li", "els => els.length"),
            "overflow": page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"),
        }
        page.screenshot(path=str(screenshot), full_page=True)
        page.screenshot(path=str(screenshot.with_name(screenshot.stem + "-top.png")))
        seen["errors"] = list(errors)  # before the probe below, whose failure Chromium logs
        # the watch works: a request the page did not make is seen and stopped
        page.evaluate("fetch('http://127.0.0.1:9/probe').catch(() => null)")
        page.wait_for_timeout(200)
    finally:
        page.close()
    seen.update(requests=requests, blocked=blocked, url=url)
    return seen


def _check(seen: dict, figures: Path, screenshot: Path):
    assert seen["sections"] == SECTIONS
    pngs = sorted(figures.glob("*.png"))
    assert len(seen["images"]) == len(pngs) > 5
    assert all(i["ok"] for i in seen["images"]), [i for i in seen["images"] if not i["ok"]]
    assert all(i["src"] == "data:image/png;base64," for i in seen["images"])
    assert all(i["shown"] > 300 for i in seen["images"])  # shown at a readable size
    assert not seen["overflow"], "the page fits the window's width"
    # the only requests are the page itself and, after it, the probe that shows the watch works
    probe = "http://127.0.0.1:9/probe"
    assert [u for u in seen["requests"] if u != probe and not u.startswith("data:")] == [seen["url"]]
    assert seen["blocked"] == [probe]
    assert seen["errors"] == [], "no errors in the console"
    assert screenshot.stat().st_size > 50_000 and screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_renders_in_headless_chromium(browser, results, tmp_path):
    shot = tmp_path / "report.png"
    seen = render(browser, results / "report.html", shot)
    _check(seen, results / "figures", shot)
    assert seen["lang"] == "en"
    assert seen["h2"] == ["1. Question and answer", "2. Article baselines", "3. Charts",
                          "4. Model logic and assumptions", "5. Experiment"]
    assert seen["sentences"] == 6
    print(f"screenshot: {shot}")


def test_chinese_report_renders_in_headless_chromium(browser, results, tmp_path):
    if fonts.cjk_font() is None:
        _unavailable(fonts.missing_message())
    zh = tmp_path / "zh"
    shutil.copytree(results, zh)
    result = runner.invoke(app, ["report", str(zh), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    shot = tmp_path / "report-zh.png"
    seen = render(browser, zh / "report.html", shot)
    _check(seen, zh / "figures", shot)
    assert seen["lang"] == "zh-CN"
    assert seen["h2"] == ["1. 问题与结论", "2. 报道数据基准", "3. 图表", "4. 模型逻辑与假设", "5. 实验设置"]
    print(f"screenshot: {shot}")
