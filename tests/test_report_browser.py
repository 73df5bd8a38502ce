"""The review page in a real browser: headless Chromium (Debian's) driven by Selenium.

The tests open generated reports from file:// URLs, click through decisions,
export them with the page's own button (the download lands in a temporary
folder), and hand the file to ``repair apply``. Chromium and its driver come from
Debian (``make install`` adds them); no driver or browser is ever downloaded.
Without them these tests skip with the reason, except under CI, where a missing
browser is a failure so the page can never go untested unnoticed.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from review_helpers import PAPER, build_big_run, build_run, build_showcase
from typer.testing import CliRunner

from repair.cli import app

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "reports" / "report-screenshot.png"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=en-US",
)


def _find(name: str, fallback: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    return fallback if os.access(fallback, os.X_OK) else None


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required under CI: make install adds chromium and chromium-driver)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    chromium = _find("chromium", "/usr/bin/chromium")
    driver_path = _find("chromedriver", "/usr/bin/chromedriver")
    if chromium is None or driver_path is None:
        _missing("no Chromium: install Debian's chromium and chromium-driver (make install does)")
    os.environ["SE_OFFLINE"] = "1"  # Selenium Manager must never fetch a driver
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (it is in the dev extra)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="repair-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1280,1800")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, tmp_path):
    """Open a report with a fresh download folder and an empty localStorage."""
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})

    def open_report(report: Path, clear_storage: bool = True):
        browser.get(report.resolve().as_uri())
        if clear_storage:
            browser.execute_script("localStorage.clear()")
            browser.refresh()
        wait_for(lambda: browser.execute_script("return !!window.repairReview"), "the page script to start")
        browser.get_log("browser")  # start each test with an empty console log
        return browser

    open_report.downloads = downloads
    return open_report


def wait_for(condition, what: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def cards(driver):
    return driver.find_elements("css selector", "#edits .edit")


def card(driver, file: str, spun: str):
    """The card of the edit of ``file`` whose spun text is ``spun``."""
    for element in cards(driver):
        where = element.find_element("css selector", ".where").text
        shown = element.find_elements("css selector", ".ctx del, .ctx mark")
        if where.startswith(file + ":") and shown and shown[0].text == spun:
            return element
    raise AssertionError(f"no card for {spun!r} in {file}")


def state(driver, file: str, spun: str) -> str:
    return card(driver, file, spun).find_element("css selector", ".state").text


def click(driver, element) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def choose(driver, file: str, spun: str, wording: str) -> None:
    for label in card(driver, file, spun).find_elements("css selector", ".choices label"):
        if label.find_element("css selector", "span").text == wording:
            click(driver, label.find_element("css selector", "input"))
            return
    raise AssertionError(f"no choice {wording!r} for {spun!r}")


def press(driver, file: str, spun: str, action: str) -> None:
    click(driver, card(driver, file, spun).find_element("css selector", f"button[data-act={action}]"))


def tally(driver) -> str:
    return wait_for(lambda: driver.find_element("id", "tally").text, "the tally")


def export_decisions(driver, downloads: Path) -> dict:
    click(driver, driver.find_element("id", "export"))
    found = wait_for(
        lambda: [p for p in downloads.glob("decisions-*.json") if p.stat().st_size > 0],
        "the exported decisions file",
    )
    # Chromium renames the .crdownload file once complete; wait until it parses.
    return wait_for(lambda: _json_or_none(found[0]), "a complete decisions file")


def _json_or_none(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def set_value(driver, element_id: str, value: str) -> None:
    element = driver.find_element("id", element_id)
    element.clear()
    element.send_keys(value)


def test_review_export_and_apply(page, tmp_path):
    run = build_run(tmp_path)
    driver = page(run.report / "report.html")
    assert driver.title == "repair review"
    assert len(cards(driver)) == 7
    assert tally(driver) == "5 accepted · 2 rejected · 0 changed from the run"

    press(driver, "paper.txt", "counterfeit consciousness", "reject")
    choose(driver, "paper.txt", "flag to commotion", "signal-to-noise")
    choose(driver, "paper.txt", "huge information", "vast data")  # picking a wording accepts a held edit
    choose(driver, "paper.txt", "an irregular woodland", "an unordered forest")
    # Accepting the held "flag" knocks out the overlapping "flag to commotion"; accepting that one again restores it.
    press(driver, "paper.txt", "flag", "accept")
    assert state(driver, "paper.txt", "flag") == "accepted"
    assert state(driver, "paper.txt", "flag to commotion") == "rejected"
    assert "Rejected 1 overlapping edit" in driver.find_element("id", "toast").text
    press(driver, "paper.txt", "flag to commotion", "accept")
    assert state(driver, "paper.txt", "flag") == "rejected"
    assert state(driver, "paper.txt", "counterfeit consciousness") == "rejected"
    assert tally(driver) == "5 accepted · 2 rejected · 4 changed from the run"

    exported = export_decisions(driver, page.downloads)
    assert exported == driver.execute_script("return window.repairReview.decisions()")
    assert exported["format"] == "repair-decisions" and len(exported["edits_sha256"]) == 64
    assert len(exported["decisions"]) == 7

    decisions = tmp_path / "decisions.json"
    decisions.write_text(json.dumps(exported), encoding="utf-8")
    out = tmp_path / "cleaned"
    result = CliRunner().invoke(app, ["apply", str(run.edits), "--decisions", str(decisions), "--out-dir", str(out)])
    assert result.exit_code == 0, result.stderr
    expected = (
        PAPER.replace("an irregular woodland", "an unordered forest")
        .replace("flag to commotion", "signal-to-noise")
        .replace("huge information", "vast data")
        .replace("profound learning", "deep learning")
    )
    assert (out / "paper.txt").read_bytes() == expected.encode("utf-8")
    assert (out / "legacy" / "cp1252.txt").read_bytes() == b"Le caf\xe9 uses artificial intelligence daily.\n"


def test_screenshot_of_a_review_in_progress(page, tmp_path):
    """The picture in the README: summary, charts, and edits being reviewed."""
    run = build_showcase(tmp_path)
    driver = page(run.report / "report.html")
    driver.set_window_size(1280, 2300)
    name = "abstracts/screening.txt"
    choose(driver, name, "an irregular woodland", "an unordered forest")
    press(driver, name, "an irregular woodland", "reject")
    choose(driver, name, "flag to commotion", "signal-to-noise")
    wait_for(
        lambda: (
            not driver.find_element("id", "toast").is_displayed()
            or "show" not in driver.find_element("id", "toast").get_attribute("class")
        ),
        "the toast to fade",
        6,
    )
    driver.execute_script("window.scrollTo(0, 0); document.activeElement.blur()")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000
    assert tally(driver) == "7 accepted · 2 rejected · 2 changed from the run"


def _assert_markup_inert(driver, file_name: str) -> None:
    assert driver.title == "repair review"
    assert driver.execute_script("return window.__pwned === undefined")
    assert driver.execute_script("return document.querySelectorAll('#edits img, #edits script, #edits b').length") == 0
    context = card(driver, file_name, "huge information").find_element("css selector", ".ctx").text
    assert '</script><script>window.__pwned = 1; document.title = "pwned"</script>' in context
    assert '<img src=x onerror="window.__pwned = 2">' in context
    heads = [h.text for h in driver.find_elements("css selector", ".file-head h3")]
    assert file_name in heads
    # The whole-file view renders the same text, inert too.
    button = driver.find_element("css selector", ".file-head button[data-act=fulltext]")
    click(driver, button)
    body = wait_for(lambda: driver.find_element("id", "fulltext-body").text, "the full text")
    assert "<img src=x onerror=" in body
    markup = "return document.querySelectorAll('#fulltext-body img, #fulltext-body script').length"
    assert driver.execute_script(markup) == 0
    driver.find_element("id", "fulltext-close").click()
    assert driver.execute_script("return window.__pwned === undefined") and driver.title == "repair review"


def test_script_in_the_input_is_not_executed(page, tmp_path):
    name = "<b>odd</b> name.txt"
    run = build_run(tmp_path, paper_name=name)
    driver = page(run.report / "report.html")
    _assert_markup_inert(driver, name)
    # Escaping alone keeps it inert: the same page without its Content-Security-Policy.
    html = (run.report / "report.html").read_text(encoding="utf-8")
    start = html.index('<meta http-equiv="Content-Security-Policy"')
    bare = tmp_path / "no-csp.html"
    bare.write_text(html[:start] + html[html.index(">", start) + 1 :], encoding="utf-8")
    driver = page(bare)
    _assert_markup_inert(driver, name)


def test_filters_threshold_full_text_keys_and_saved_state(page, tmp_path):
    run = build_run(tmp_path)
    report = run.report / "report.html"
    driver = page(report)
    select = driver.find_element("id", "f-det")
    select.find_element("css selector", "option[value=thesaurus]").click()
    wait_for(lambda: len(cards(driver)) == 2, "the detector filter")
    click(driver, driver.find_element("id", "f-clear"))
    set_value(driver, "f-min", "0.9")
    wait_for(lambda: len(cards(driver)) == 4, "the confidence filter")
    set_value(driver, "f-q", "legacy")  # nothing matches the text "legacy"
    wait_for(lambda: driver.find_elements("css selector", "#edits .empty"), "the empty state")
    click(driver, driver.find_element("id", "f-clear"))
    wait_for(lambda: len(cards(driver)) == 7, "cleared filters")

    # A chart bar is a filter too.
    click(driver, driver.find_element("css selector", '.bar[data-filter=detector][data-value="artifact"]'))
    wait_for(lambda: len(cards(driver)) == 1, "the chart filter")
    click(driver, driver.find_element("id", "f-clear"))

    set_value(driver, "threshold", "0.9")
    click(driver, driver.find_element("id", "apply-threshold"))
    assert tally(driver).startswith("4 accepted · 3 rejected")
    accepted = {
        d["spun"]
        for d in driver.execute_script("return window.repairReview.decisions()")["decisions"]
        if d["decision"] == "accept"
    }
    assert accepted == {"counterfeit consciousness", "an irregular woodland", "profound learning"}

    # Keyboard: focus the first card, reject it with "r", move on with "j".
    first = cards(driver)[0]
    driver.execute_script("arguments[0].focus()", first)
    first.send_keys("r")
    wait_for(lambda: "rejected" in cards(driver)[0].get_attribute("class"), "the r key")
    cards(driver)[0].send_keys("j")
    assert driver.switch_to.active_element.get_attribute("data-i") == cards(driver)[1].get_attribute("data-i")
    assert tally(driver).startswith("3 accepted")

    # The whole-file view shows the current decisions; clicking an edit goes to its card.
    click(driver, driver.find_element("css selector", ".file-head button[data-act=fulltext]"))
    dialog = driver.find_element("id", "fulltext")
    wait_for(lambda: dialog.get_attribute("open") is not None, "the full-text dialog")
    deleted = [d.text for d in dialog.find_elements("css selector", "#fulltext-body del")]
    assert deleted == ["an irregular woodland", "profound learning"]
    kept = dialog.find_elements("css selector", "#fulltext-body mark.kept")
    assert [m.text for m in kept][:2] == ["counterfeit consciousness", "flag to commotion"]
    kept[1].click()
    wait_for(lambda: dialog.get_attribute("open") is None, "the dialog to close")
    assert driver.switch_to.active_element.find_element("css selector", ".where").text == "paper.txt:2:41"

    # Decisions survive a reload (localStorage, per run) until reset.
    time.sleep(0.3)  # the page saves 150 ms after the last change
    driver = page(report, clear_storage=False)
    assert tally(driver).startswith("3 accepted")
    click(driver, driver.find_element("id", "reset"))
    assert tally(driver) == "5 accepted · 2 rejected · 0 changed from the run"
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_ten_thousand_edits_stay_paged(page, tmp_path):
    run = build_big_run(tmp_path)
    started = time.monotonic()
    driver = page(run.report / "report.html")
    loaded = time.monotonic() - started
    assert driver.execute_script("return window.repairReview.count()") == 10_000
    assert len(cards(driver)) == 50  # one page is drawn, not ten thousand cards
    assert "of 10000" in driver.find_element("id", "pager-top").text
    click(driver, driver.find_element("css selector", "#pager-top button[data-page='1']"))
    wait_for(lambda: "Page 2 of 200" in driver.find_element("id", "pager-top").text, "page 2")
    assert len(cards(driver)) == 50

    started = time.monotonic()
    set_value(driver, "threshold", "0.75")
    click(driver, driver.find_element("id", "apply-threshold"))
    decisions = driver.execute_script("return window.repairReview.decisions()")
    bulk = time.monotonic() - started
    accepted = [d for d in decisions["decisions"] if d["decision"] == "accept"]
    confidences = {(r.rel, e.start): e.confidence for r in run.results for e in r.edits}
    assert all(confidences[(d["file"], d["start"])] >= 0.75 for d in accepted)
    assert len(accepted) == sum(1 for c in confidences.values() if c >= 0.75)
    print(f"10,000 edits: page ready in {loaded:.2f}s, threshold + export in {bulk:.2f}s (shared machine)")

    path = tmp_path / "decisions.json"
    path.write_text(json.dumps(decisions))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["apply", str(run.edits), "--decisions", str(path), "--out-dir", str(out)])
    assert result.exit_code == 0, result.stderr
    assert f"applied {len(accepted)} edits" in result.stderr


def test_acceptance_clean_review_apply(page, tmp_path, monkeypatch):
    """From `repair clean DIR --report out/` to accepted cleaned files with only the page and `repair apply`."""
    docs = tmp_path / "my docs"
    docs.mkdir()
    (docs / "abstract.txt").write_text(
        "Counterfeit consciousness helps.\nWe trained an irregular woodland on huge information.\n", encoding="utf-8"
    )
    (docs / "clean.md").write_text("Nothing spun here.\n", encoding="utf-8")
    report = tmp_path / "review's out"  # the suggested command must quote this
    runner = CliRunner()
    assert runner.invoke(app, ["clean", str(docs), "--report", str(report)]).exit_code == 0
    driver = page(report / "report.html")
    press(driver, "abstract.txt", "huge information", "reject")
    exported = export_decisions(driver, page.downloads)
    decisions = next(page.downloads.glob("decisions-*.json"))
    assert json.loads(decisions.read_text()) == exported
    # Run exactly the command the page suggests, in the downloads folder.
    command = shlex.split(driver.find_element("id", "apply-command").text)
    assert command[:3] == ["repair", "apply", str(report / "edits.jsonl")]
    monkeypatch.chdir(page.downloads)
    result = runner.invoke(app, command[1:])
    assert result.exit_code == 0, result.stderr
    cleaned = page.downloads / "cleaned"
    assert (cleaned / "abstract.txt").read_text(encoding="utf-8") == (
        "Artificial intelligence helps.\nWe trained a random forest on huge information.\n"
    )
    assert (cleaned / "clean.md").read_text(encoding="utf-8") == "Nothing spun here.\n"
