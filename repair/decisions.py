"""Reviewed decisions: which edits of a run to write, and in which wording.

The review page (``report.html``) exports a decisions file and
``repair apply EDITS.jsonl --decisions FILE`` writes exactly what it says. The
format is plain JSON so a script, or a person with an editor, can make one too::

    {
      "format": "repair-decisions",
      "version": 1,
      "run_id": "3f9a0c1b2d4e",
      "edits_sha256": "3f9a0c1b2d4e…(64 hex digits)",
      "generator": "repair 0.1.0",
      "decisions": [
        {"file": "paper.txt", "start": 8, "end": 33, "spun": "counterfeit consciousness",
         "decision": "accept", "choice": "artificial intelligence"},
        {"file": "paper.txt", "start": 38, "end": 59, "spun": "an irregular woodland",
         "decision": "reject", "choice": "a random forest"}
      ]
    }

Rules, each enforced by :func:`resolve`:

- ``edits_sha256`` is the SHA-256 of the ``edits.jsonl`` bytes the page was made
  from (``run_id`` is its first 12 hex digits, for people). When present it must
  match the edits file given to ``apply``: decisions never cross runs.
- An edit is named by ``file`` (the relative name in ``edits.jsonl``) and its
  character offsets ``start``/``end`` in the original text; ``spun``, when given,
  must equal the edit's spun text, a guard against offsets from another version.
- ``decision`` is ``"accept"`` or ``"reject"``. ``choice`` is the text that
  replaces ``original[start:end]`` when accepted: the proposal or one of the
  edit's alternatives as :func:`edit_choices` lists them (an alternative may be
  given as listed in ``edits.jsonl`` too). Omitted or null means the proposal.
- An edit the file does not mention keeps its default: its ``applied`` flag.
- Naming an unknown edit, naming an edit twice, or accepting two overlapping
  edits of one file is an error: nothing is written.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .apply import EditConflict, apply_edits
from .form import ARTICLE_GAP, fix_article
from .model import Edit
from .report import safe_join, unified_diff
from .saved import SavedFile, SavedRun, SavedRunError, read_original, resolve_path
from .textio import Decoded, atomic_write

DECISIONS_FORMAT = "repair-decisions"
ACCEPT = "accept"
REJECT = "reject"


class DecisionError(SavedRunError):
    """The decisions file does not fit the run, or the accepted edits cannot be written."""


@dataclass(frozen=True, slots=True)
class Decision:
    file: str
    start: int
    end: int
    decision: str  # "accept" | "reject"
    choice: str | None = None
    spun: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "start": self.start,
            "end": self.end,
            "spun": self.spun,
            "decision": self.decision,
            "choice": self.choice,
        }


@dataclass(frozen=True, slots=True)
class Decisions:
    decisions: tuple[Decision, ...]
    edits_sha256: str = ""
    origin: str = "decisions"


# --------------------------------------------------------------------------- choices

_LEADING_ARTICLE = re.compile(rf"(a|an|A|An|AN)({ARTICLE_GAP})(?=\S)")


def fit_alternative(edit: Edit, alternative: str) -> str:
    """An alternative made to replace the edit's whole spun text.

    The decide stage widens an edit to the article before it when a/an must
    change (``"an irregular woodland" → "a random forest"``), but alternatives
    name only the phrase after the article. Put the article that fits back.

    >>> e = Edit(0, 21, 1, 1, "an irregular woodland", "a random forest", 0.9, "lexicon", "")
    >>> fit_alternative(e, "random woodland")
    'a random woodland'
    >>> fit_alternative(e, "unordered forest")
    'an unordered forest'
    """
    spun_article = _LEADING_ARTICLE.match(edit.spun)
    if not spun_article or not _LEADING_ARTICLE.match(edit.proposal) or _LEADING_ARTICLE.match(alternative):
        return alternative
    core_start = spun_article.end()
    begin, _, fitted = fix_article(edit.spun, core_start, edit.spun[core_start:], alternative)
    if begin == core_start:  # the old article still fits
        return spun_article.group(0) + alternative
    return fitted


def edit_choices(edit: Edit) -> tuple[str, ...]:
    """What a reviewer may pick for an edit: the proposal first, then the alternatives, fitted."""
    choices = [edit.proposal]
    for text, _ in edit.alternatives:
        fitted = fit_alternative(edit, text)
        if fitted not in choices and fitted != edit.spun:
            choices.append(fitted)
    return tuple(choices)


def _allowed_choice(edit: Edit, choice: str) -> bool:
    return choice in edit_choices(edit) or any(choice == text for text, _ in edit.alternatives)


# --------------------------------------------------------------------------- reading


def load_decisions(path: str | Path) -> Decisions:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DecisionError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise DecisionError(f"{path}: not JSON ({exc})") from exc
    return parse_decisions(data, str(path))


def parse_decisions(data: Any, origin: str = "decisions") -> Decisions:
    """Validate the decisions document's shape (not yet against a run)."""
    if not isinstance(data, Mapping):
        raise DecisionError(f"{origin}: expected a JSON object with a 'decisions' list")
    if data.get("format", DECISIONS_FORMAT) != DECISIONS_FORMAT:
        raise DecisionError(f"{origin}: format is {data.get('format')!r}, not {DECISIONS_FORMAT!r}")
    entries = data.get("decisions")
    if not isinstance(entries, list):
        raise DecisionError(f"{origin}: 'decisions' must be a list")
    decisions = []
    for number, entry in enumerate(entries, 1):
        where = f"{origin}: decision {number}"
        if not isinstance(entry, Mapping):
            raise DecisionError(f"{where}: expected an object")
        try:
            file, start, end = str(entry["file"]), entry["start"], entry["end"]
        except KeyError as exc:
            raise DecisionError(f"{where}: missing {exc.args[0]!r}") from exc
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or start > end:
            raise DecisionError(f"{where}: start and end must be offsets with start <= end")
        verdict = entry.get("decision")
        if verdict not in (ACCEPT, REJECT):
            raise DecisionError(f"{where}: decision must be 'accept' or 'reject', not {verdict!r}")
        choice, spun = entry.get("choice"), entry.get("spun")
        if choice is not None and not isinstance(choice, str):
            raise DecisionError(f"{where}: choice must be text")
        if spun is not None and not isinstance(spun, str):
            raise DecisionError(f"{where}: spun must be text")
        decisions.append(Decision(file, start, end, verdict, choice, spun))
    digest = data.get("edits_sha256") or ""
    if not isinstance(digest, str):
        raise DecisionError(f"{origin}: edits_sha256 must be text")
    return Decisions(tuple(decisions), digest.lower(), origin)


def decisions_document(run: SavedRun, reviewed: Mapping[str, Iterable[Edit]], generator: str = "") -> dict[str, Any]:
    """A decisions document for reviewed edits (``applied`` = accepted, ``proposal`` = choice)."""
    entries = [
        Decision(name, e.start, e.end, ACCEPT if e.applied else REJECT, e.proposal, e.spun).to_dict()
        for name, edits in reviewed.items()
        for e in edits
    ]
    return {
        "format": DECISIONS_FORMAT,
        "version": 1,
        "run_id": run.run_id,
        "edits_sha256": run.edits_sha256,
        "generator": generator,
        "decisions": entries,
    }


# --------------------------------------------------------------------------- resolving


def resolve(run: SavedRun, decisions: Decisions | None = None) -> dict[str, list[Edit]]:
    """Per file, every edit with ``applied`` = accepted and ``proposal`` = the chosen text."""
    reviewed = {saved.file: list(saved.edits) for saved in run.files if saved.edits}
    if decisions is None:
        return reviewed
    origin = decisions.origin
    if decisions.edits_sha256 and decisions.edits_sha256 != run.edits_sha256:
        raise DecisionError(
            f"{origin} was exported for another edits file (edits_sha256 {decisions.edits_sha256[:12]}…, "
            f"{run.edits_path} is {run.edits_sha256[:12]}…)"
        )
    index = {(name, e.start, e.end): i for name, edits in reviewed.items() for i, e in enumerate(edits)}
    seen: set[tuple[str, int, int]] = set()
    for d in decisions.decisions:
        key = (d.file, d.start, d.end)
        where = f"{origin}: {d.file}:{d.start}-{d.end}"
        if key not in index:
            raise DecisionError(f"{where} names no edit of {run.edits_path}")
        if key in seen:
            raise DecisionError(f"{where} is decided twice")
        seen.add(key)
        position = index[key]
        edit = reviewed[d.file][position]
        if d.spun is not None and d.spun != edit.spun:
            raise DecisionError(f"{where}: spun text {d.spun!r} does not match the edit's {edit.spun!r}")
        choice = edit.proposal if d.choice is None else d.choice
        if d.decision == ACCEPT and not _allowed_choice(edit, choice):
            raise DecisionError(f"{where}: {choice!r} is neither the proposal nor one of its alternatives")
        if d.decision == REJECT:
            choice = edit.proposal
        reviewed[d.file][position] = replace(edit, applied=d.decision == ACCEPT, proposal=choice)
    return reviewed


# --------------------------------------------------------------------------- applying


@dataclass(slots=True)
class FilePlan:
    """What ``apply`` will do with one file, fully checked before anything is written."""

    saved: SavedFile
    source: Path
    original: bytes
    new: bytes
    text: str = ""
    new_text: str = ""
    accepted: int = 0
    rejected: int = 0

    @property
    def changed(self) -> bool:
        return self.new != self.original


@dataclass(slots=True)
class ApplyResult:
    plans: list[FilePlan] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return sum(p.accepted for p in self.plans)

    @property
    def rejected(self) -> int:
        return sum(p.rejected for p in self.plans)

    @property
    def changed(self) -> int:
        return sum(1 for p in self.plans if p.changed)

    def summary(self, verb: str = "applied") -> str:
        files = self.changed
        return (
            f"{verb} {self.accepted} edit{'s' * (self.accepted != 1)} ({self.rejected} rejected) "
            f"to {files} file{'s' * (files != 1)}"
        )


def plan_apply(
    run: SavedRun, decisions: Decisions | None = None, base: Path | None = None, include_unchanged: bool = False
) -> list[FilePlan]:
    """Check every original and build every new text; raises before anything is written.

    ``include_unchanged`` also plans (as copies) the run's files without findings,
    so an ``--out-dir`` holds the whole run as ``repair clean --out-dir`` would.
    """
    reviewed = resolve(run, decisions)
    plans = []
    for saved in run.files:
        edits = reviewed.get(saved.file)
        if not edits:
            if include_unchanged and saved.status in ("changed", "unchanged") and saved.sha256:
                raw, _ = read_original(saved, base)
                plans.append(FilePlan(saved, resolve_path(saved, base), raw, raw))
            continue
        raw, decoded = read_original(saved, base)
        plans.append(_plan_file(saved, resolve_path(saved, base), raw, decoded, edits))
    return plans


def _plan_file(saved: SavedFile, source: Path, raw: bytes, decoded: Decoded, edits: list[Edit]) -> FilePlan:
    accepted = [e for e in edits if e.applied]
    plan = FilePlan(saved, source, raw, raw, decoded.text, decoded.text, len(accepted), len(edits) - len(accepted))
    if not accepted:
        return plan
    if not decoded.lossless:
        raise DecisionError(f"{source}: the file's encoding does not round-trip, so it cannot be rewritten")
    try:
        new_text = apply_edits(decoded.text, accepted)
    except EditConflict as exc:
        raise DecisionError(f"{source}: {exc}; reject one of the overlapping edits") from exc
    if not decoded.can_encode(new_text):
        raise DecisionError(f"{source}: a chosen text cannot be written in the file's encoding ({decoded.encoding})")
    plan.new_text = new_text
    plan.new = decoded.encode(new_text)
    return plan


def plan_diff(plan: FilePlan, context: int = 3) -> str:
    return unified_diff(str(plan.source), plan.text, plan.new_text, context)


def write_plans(
    plans: list[FilePlan], out_dir: Path | None = None, in_place: bool = False, backup: str | None = None
) -> ApplyResult:
    """Write the planned files: mirrored under ``out_dir``, or over the originals (atomically)."""
    if (out_dir is None) == (not in_place):
        raise ValueError("write_plans needs exactly one of out_dir and in_place")
    result = ApplyResult(plans)
    if out_dir is not None:
        targets = [(plan, safe_join(out_dir, plan.saved.file)) for plan in plans]
        for plan, target in targets:
            if target.resolve() == plan.source.resolve():
                raise DecisionError(f"refusing to overwrite the original {plan.source} (use --in-place)")
        for plan, target in targets:
            atomic_write(target, plan.new)
            result.written.append(target)
        return result
    for plan in plans:
        if not plan.changed:
            continue
        if backup:
            shutil.copy2(plan.source, str(plan.source) + backup)
        atomic_write(plan.source, plan.new)
        result.written.append(plan.source)
    return result


def apply_run(
    edits_path: str | Path,
    decisions_path: str | Path | None = None,
    out_dir: Path | None = None,
    in_place: bool = False,
    backup: str | None = None,
    base: Path | None = None,
) -> ApplyResult:
    """Library form of ``repair apply``: load, check everything, then write.

    >>> import tempfile, json, hashlib
    >>> from repair.saved import load_run
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = (tmp / "a.txt").write_text("We use counterfeit consciousness.")
    >>> record = {"file": "a.txt", "path": str(tmp / "a.txt"), "start": 7, "end": 32, "line": 1, "col": 8,
    ...           "spun": "counterfeit consciousness", "proposal": "artificial intelligence", "confidence": 0.9,
    ...           "detector": "lexicon", "reason": "", "alternatives": [], "applied": True,
    ...           "file_sha256": hashlib.sha256((tmp / "a.txt").read_bytes()).hexdigest()}
    >>> _ = (tmp / "edits.jsonl").write_text(json.dumps(record) + "\\n")
    >>> result = apply_run(tmp / "edits.jsonl", out_dir=tmp / "out")
    >>> (tmp / "out" / "a.txt").read_text()
    'We use artificial intelligence.'
    """
    from .saved import load_run

    run = load_run(edits_path)
    decisions = load_decisions(decisions_path) if decisions_path is not None else None
    plans = plan_apply(run, decisions, base, include_unchanged=out_dir is not None)
    return write_plans(plans, out_dir, in_place, backup)
