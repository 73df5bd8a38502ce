"""How the review page copes with a large run: render time, page size, browser responsiveness.

    python benchmarks/report_page.py [--edits 10000] [--per-file 500]

Builds a synthetic run (files of repeated sentences, two edits each, a quarter
held back, some with alternatives), writes the full report with
``repair.report.write_report``, then, when Debian's headless Chromium and
chromium-driver are installed, opens ``report.html`` and times: the page ready
to review, moving to the next page of cards, filtering by detector, and
"accept >= threshold" over every edit followed by an export of all decisions.
Timings are wall-clock on whatever else the machine is doing: compare runs on
the same machine only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from repair.model import Document, Edit
from repair.report import FileResult, write_report

SENTENCE = "We trained counterfeit consciousness on flag to commotion. "
SPANS = (
    ("counterfeit consciousness", "artificial intelligence", 11, "lexicon"),
    ("flag to commotion", "signal to noise", 40, "thesaurus"),
)


def synthetic_run(root: Path, edits: int, per_file: int) -> list[FileResult]:
    results = []
    for n in range(max(1, edits // per_file)):
        text = SENTENCE * (per_file // 2)
        doc = Document(text)
        file_edits = []
        for k in range(per_file // 2):
            for spun, proposal, shift, detector in SPANS:
                start = k * len(SENTENCE) + shift
                conf = round(0.5 + ((k * 7 + shift) % 50) / 100, 2)
                line, col = doc.line_col(start)
                alts = (("signal-to-noise", round(conf - 0.2, 2)),) if detector == "thesaurus" else ()
                edit = Edit(start, start + len(spun), line, col, spun, proposal, conf, detector, "synthetic", alts)
                file_edits.append(Edit(**{**edit.to_dict(), "alternatives": alts, "applied": conf >= 0.62}))
        path = root / f"doc{n:04d}.txt"
        data = text.encode("utf-8")
        path.write_bytes(data)
        results.append(
            FileResult(
                str(path),
                path.name,
                "changed",
                edits=file_edits,
                words=len(text.split()),
                sha256=hashlib.sha256(data).hexdigest(),
                encoding="utf-8",
                text=text,
            )
        )
    return results


def browser_timings(page: Path) -> dict[str, float] | None:
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_path:
        return None
    os.environ["SE_OFFLINE"] = "1"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="repair-bench-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        timings = {}
        start = time.perf_counter()
        driver.get(page.resolve().as_uri())
        while not driver.execute_script("return !!window.repairReview"):
            time.sleep(0.01)
        timings["page ready (s)"] = time.perf_counter() - start
        start = time.perf_counter()
        driver.find_element("css selector", "#pager-top button[data-page='1']").click()
        driver.find_elements("css selector", "#edits .edit")
        timings["next page (s)"] = time.perf_counter() - start
        start = time.perf_counter()
        driver.find_element("css selector", "#f-det option[value=thesaurus]").click()
        driver.find_elements("css selector", "#edits .edit")
        timings["filter by detector (s)"] = time.perf_counter() - start
        driver.find_element("id", "f-clear").click()
        start = time.perf_counter()
        driver.find_element("id", "apply-threshold").click()
        count = len(driver.execute_script("return window.repairReview.decisions()")["decisions"])
        timings[f"threshold over all + export {count:,} decisions (s)"] = time.perf_counter() - start
        return timings
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--per-file", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        results = synthetic_run(root / "in", args.edits, args.per_file)
        total = sum(len(r.edits) for r in results)
        start = time.perf_counter()
        write_report(root / "report", results, {"generator": "benchmark"})
        rows = {
            "edits / files": f"{total:,} / {len(results):,}",
            "write_report, all formats (s)": f"{time.perf_counter() - start:.2f}",
            "report.html size (MB)": f"{(root / 'report' / 'report.html').stat().st_size / 1e6:.2f}",
        }
        timings = browser_timings(root / "report" / "report.html")
        if timings is None:
            rows["browser"] = "skipped: no chromium / chromedriver"
        else:
            rows.update({k: f"{v:.2f}" for k, v in timings.items()})
    print("| review page | value |\n| --- | --- |")
    for key, value in rows.items():
        print(f"| {key} | {value} |")


if __name__ == "__main__":
    main()
