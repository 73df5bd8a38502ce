"""The ``repair`` command line: thin typer commands over the library.

Each command validates its options, builds one ``Config`` and one options
object (``BatchOptions`` for ``clean``/``check``), and calls the library
(``repair.batch.execute``), which prints results and returns the exit code.
Data (diffs, cleaned text, findings) goes to stdout; status and the summary go
to stderr. Exit codes: 0 done, 1 ``check`` found spins, 2 usage error or an
input that could not be read, 123 internal error, 130 interrupted.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .batch import BatchError, BatchOptions, execute
from .config import Config, ConfigError, load_config
from .engines import ENGINES
from .lexicon import LexiconError
from .runner import EXIT_ERROR, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, STDIN, Mode, RunOptions, RunReport
from .saved import SavedRunError
from .storage import is_url, local

app = typer.Typer(
    name="repair",
    help="Restore text damaged by synonym spinning: detect spun phrases, propose the original wording, "
    "and write reviewed, byte-exact edits.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"repair {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
) -> None:
    """repair: restore text damaged by synonym spinning."""


def _err(message: str) -> None:
    typer.echo(message, err=True)


class _Failure(Exception):
    """A user-facing error: one line, exit code attached."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


PathsArg = Annotated[
    list[str], typer.Argument(help="Files or directories (recursed), or - for stdin.", show_default=False)
]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="Read settings from this TOML file.")]
IsolatedOpt = Annotated[bool, typer.Option("--isolated", help="Ignore pyproject.toml / repair.toml.")]
ThresholdOpt = Annotated[
    Optional[float],
    typer.Option("--min-confidence", min=0.0, max=1.0, help="Write only edits at least this confident."),
]
LexiconOpt = Annotated[Optional[list[Path]], typer.Option("--lexicon", help="Extra lexicon TSV file (repeatable).")]
IgnoreOpt = Annotated[
    Optional[list[str]], typer.Option("--ignore-phrases", "-L", help="Comma-separated phrases never to touch.")
]
GlobOpt = Annotated[Optional[list[str]], typer.Option("--glob", help="File pattern inside directories (repeatable).")]
ExcludeOpt = Annotated[Optional[list[str]], typer.Option("--exclude", help="Skip paths matching this pattern.")]
DetectorsOpt = Annotated[
    Optional[str],
    typer.Option("--detectors", help="Comma-separated detectors to run: lexicon, artifact, context."),
]
QualityOpt = Annotated[
    Optional[str],
    typer.Option("--quality", help="Context detector speed level: fast (3-gram) or best (with the language model)."),
]
MarkupOpt = Annotated[
    Optional[str],
    typer.Option(
        "--markup",
        help="auto (by file suffix), markdown, latex, rst or plain: code, math, links, tags and keys are kept.",
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show held-back findings and tracebacks.")]


def _config(
    config_file: Path | None,
    isolated: bool,
    min_confidence: float | None,
    lexicons: list[Path] | None,
    ignore: list[str] | None,
    globs: list[str] | None,
    excludes: list[str] | None,
    jobs: int | None = None,
    detectors: str | None = None,
    quality: str | None = None,
    markup: str | None = None,
) -> Config:
    if config_file is not None and not config_file.is_file():
        raise _Failure(f"error: config file {config_file} not found")
    config = load_config(config_file, isolated=isolated)
    changes: dict[str, object] = {"min_confidence": min_confidence, "jobs": jobs, "quality": quality, "markup": markup}
    if detectors is not None:
        changes["detectors"] = tuple(d.strip() for d in detectors.split(",") if d.strip())
    if lexicons:
        for lex in lexicons:
            if not lex.is_file():
                raise _Failure(f"error: lexicon file {lex} not found")
        changes["extend_lexicon"] = config.extend_lexicon + tuple(str(p.resolve()) for p in lexicons)
    if ignore:
        phrases = tuple(p.strip() for item in ignore for p in item.split(",") if p.strip())
        changes["ignore_phrases"] = config.ignore_phrases + phrases
    if globs:
        changes["glob"] = tuple(globs)
    if excludes:
        changes["exclude"] = config.exclude + tuple(excludes)
    config = config.replace(**changes)
    # Load the lexicons now so a broken lexicon is a clean usage error, not a crash per file.
    from .resources import Resources

    Resources.for_config(config).lexicon  # noqa: B018
    return config


def _run_guarded(verbose: bool, body) -> int:  # type: ignore[no-untyped-def]
    try:
        return body()
    except _Failure as exc:
        _err(str(exc))
        return exc.code
    except (ConfigError, LexiconError, BatchError) as exc:
        _err(f"error: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:
        if verbose:
            traceback.print_exc()
        _err(f"internal error: {type(exc).__name__}: {exc} (run with --verbose for the traceback)")
        return EXIT_INTERNAL


EngineOpt = Annotated[
    str, typer.Option("--engine", help="local (this machine: a process pool) or dask (a Dask cluster).")
]
SchedulerOpt = Annotated[
    Optional[str],
    typer.Option("--scheduler", help="With --engine dask: address of an existing scheduler (default: a LocalCluster)."),
]
JobsOpt = Annotated[
    Optional[int], typer.Option("--jobs", "-j", min=0, help="Worker processes (0: one per core, the default).")
]
ResumeOpt = Annotated[
    bool, typer.Option("--resume", help="Skip files the run's manifest shows as done with the same settings.")
]
ReportOpt = Annotated[
    Optional[Path], typer.Option("--report", help="Write edits, diffs, tables, report.html and the manifest here.")
]


def _batch_options(
    mode: Mode,
    *,
    out_dir: str | None = None,
    backup: str | None = None,
    diff_context: int = 3,
    report_dir: Path | None,
    engine: str,
    scheduler: str | None,
    resume: bool,
    quiet: bool,
    verbose: bool,
    output_format: str = "text",
) -> BatchOptions:
    if engine not in ENGINES:
        raise _Failure(f"error: --engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if scheduler is not None and engine != "dask":
        raise _Failure("error: --scheduler only makes sense with --engine dask")
    out: Path | str | None = None
    if out_dir is not None:
        # Absolute, so workers (and a resumed run from elsewhere) agree on where outputs go.
        out = out_dir if is_url(out_dir) else Path(local(out_dir)).absolute()
    # Diffs are printed by the dry run and stored by --report; otherwise not worth computing.
    diffs = mode is Mode.DRY_RUN or report_dir is not None
    run_options = RunOptions(
        mode=mode, out_dir=out, backup=backup, diff_context=diff_context, diffs=diffs, texts=report_dir is not None
    )
    return BatchOptions(
        run=run_options,
        report_dir=report_dir,
        engine=engine,
        scheduler=scheduler,
        resume=resume,
        quiet=quiet,
        verbose=verbose,
        output_format=output_format,
    )


def _check_paths(paths: list[str], mode: Mode) -> None:
    if STDIN in paths and len(paths) > 1:
        raise _Failure("error: - (standard input) cannot be mixed with other paths")
    if mode is Mode.IN_PLACE:
        urls = [p for p in paths if is_url(p)]
        if urls:
            raise _Failure(f"error: --in-place works on local files only, not {urls[0]}")


@app.command()
def clean(
    paths: PathsArg,
    out_dir: Annotated[
        Optional[str], typer.Option("--out-dir", help="Write cleaned copies under this folder (or fsspec URL).")
    ] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Rewrite the input files (atomically).")] = False,
    backup: Annotated[
        Optional[str], typer.Option("--backup", help="With --in-place: keep the original as FILE+SUFFIX.")
    ] = None,
    report_dir: ReportOpt = None,
    min_confidence: ThresholdOpt = None,
    jobs: JobsOpt = None,
    engine: EngineOpt = "local",
    scheduler: SchedulerOpt = None,
    resume: ResumeOpt = False,
    glob: GlobOpt = None,
    exclude: ExcludeOpt = None,
    lexicon: LexiconOpt = None,
    ignore_phrases: IgnoreOpt = None,
    detectors: DetectorsOpt = None,
    quality: QualityOpt = None,
    markup: MarkupOpt = None,
    config_file: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    diff_context: Annotated[int, typer.Option("--diff-context", min=0, help="Lines of context in diffs.")] = 3,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Clean files. Without --out-dir or --in-place, print a unified diff and change nothing."""

    def body() -> int:
        if out_dir is not None and in_place:
            raise _Failure("error: --out-dir and --in-place cannot be used together")
        if backup is not None and not in_place:
            raise _Failure("error: --backup only makes sense with --in-place")
        if backup is not None and (not backup or "/" in backup or "\\" in backup):
            raise _Failure("error: --backup takes a file-name suffix such as .orig")
        if in_place and STDIN in paths:
            raise _Failure("error: --in-place cannot rewrite standard input")
        if paths == [STDIN]:
            mode = Mode.STDOUT
        elif in_place:
            mode = Mode.IN_PLACE
        elif out_dir is not None:
            mode = Mode.OUT_DIR
        else:
            mode = Mode.DRY_RUN
        _check_paths(paths, mode)
        config = _config(
            config_file,
            isolated,
            min_confidence,
            lexicon,
            ignore_phrases,
            glob,
            exclude,
            jobs,
            detectors,
            quality,
            markup,
        )
        options = _batch_options(
            mode,
            out_dir=out_dir,
            backup=backup,
            diff_context=diff_context,
            report_dir=report_dir,
            engine=engine,
            scheduler=scheduler,
            resume=resume,
            quiet=quiet,
            verbose=verbose,
        )
        return execute(paths, config, options)

    raise typer.Exit(_run_guarded(verbose, body))


@app.command()
def check(
    paths: PathsArg,
    output_format: Annotated[str, typer.Option("--format", help="text, json (JSON lines) or csv.")] = "text",
    min_confidence: ThresholdOpt = None,
    jobs: JobsOpt = None,
    engine: EngineOpt = "local",
    scheduler: SchedulerOpt = None,
    glob: GlobOpt = None,
    exclude: ExcludeOpt = None,
    lexicon: LexiconOpt = None,
    ignore_phrases: IgnoreOpt = None,
    detectors: DetectorsOpt = None,
    quality: QualityOpt = None,
    markup: MarkupOpt = None,
    config_file: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    report_dir: Annotated[Optional[Path], typer.Option("--report", help="Also write the full report here.")] = None,
    resume: ResumeOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Report spins as path:line:col: spun → proposal (confidence). Exit 1 when any is found."""

    def body() -> int:
        if output_format not in ("text", "json", "csv"):
            raise _Failure(f"error: --format must be text, json or csv, not {output_format!r}")
        _check_paths(paths, Mode.CHECK)
        config = _config(
            config_file,
            isolated,
            min_confidence,
            lexicon,
            ignore_phrases,
            glob,
            exclude,
            jobs,
            detectors,
            quality,
            markup,
        )
        options = _batch_options(
            Mode.CHECK,
            report_dir=report_dir,
            engine=engine,
            scheduler=scheduler,
            resume=resume,
            quiet=quiet,
            verbose=verbose,
            output_format=output_format,
        )
        return execute(paths, config, options)

    raise typer.Exit(_run_guarded(verbose, body))


@app.command("apply")
def apply_command(
    edits_file: Annotated[Path, typer.Argument(metavar="EDITS.jsonl", help="The edits file of a run (--report DIR).")],
    decisions: Annotated[
        Optional[Path],
        typer.Option("--decisions", help="Decisions exported from report.html (default: the run's own choices)."),
    ] = None,
    out_dir: Annotated[
        Optional[Path], typer.Option("--out-dir", help="Write the files under this folder (the run's relative names).")
    ] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Rewrite the original files (atomically).")] = False,
    backup: Annotated[
        Optional[str], typer.Option("--backup", help="With --in-place: keep the original as FILE+SUFFIX.")
    ] = None,
    base: Annotated[
        Optional[Path], typer.Option("--base", help="Resolve the run's relative paths from here (default: cwd).")
    ] = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Write the accepted edits of a reviewed run. Without --out-dir or --in-place, print the diff.

    Every original must be byte-identical to what the run saw (SHA-256 in the edits file);
    otherwise nothing is written and the exit code is 2.
    """

    def body() -> int:
        from .decisions import load_decisions, plan_apply, plan_diff, write_plans
        from .saved import load_run

        if out_dir is not None and in_place:
            raise _Failure("error: --out-dir and --in-place cannot be used together")
        if backup is not None and not in_place:
            raise _Failure("error: --backup only makes sense with --in-place")
        try:
            run = load_run(edits_file)
            chosen = load_decisions(decisions) if decisions is not None else None
            plans = plan_apply(run, chosen, base, include_unchanged=out_dir is not None)
            if out_dir is None and not in_place:
                for plan in plans:
                    sys.stdout.write(plan_diff(plan))
                sys.stdout.flush()
                if not quiet:
                    from .decisions import ApplyResult

                    _err(ApplyResult(plans).summary("would apply") + "; nothing written (use --out-dir or --in-place)")
                return EXIT_OK
            result = write_plans(plans, out_dir, in_place, backup)
        except SavedRunError as exc:
            raise _Failure(f"error: {exc}") from exc
        if not quiet:
            where = f"; {len(result.written)} file{'s' * (len(result.written) != 1)} written"
            where += f" under {out_dir}" if out_dir is not None else " in place"
            _err(result.summary() + where)
        return EXIT_OK

    raise typer.Exit(_run_guarded(verbose, body))


@app.command("report")
def report_command(
    edits_file: Annotated[Path, typer.Argument(metavar="EDITS.jsonl", help="The edits file of a saved run.")],
    out: Annotated[Path, typer.Option("--out", help="Write report.html, tables and diffs here.")],
    base: Annotated[
        Optional[Path], typer.Option("--base", help="Resolve the run's relative paths from here (default: cwd).")
    ] = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Re-render a saved run's report from its edits file and the (unchanged) original files."""

    def body() -> int:
        from .report import rerender

        try:
            written = rerender(edits_file, out, base, f"repair {__version__}")
        except SavedRunError as exc:
            raise _Failure(f"error: {exc}") from exc
        if not quiet:
            _err(f"wrote {len(written)} files to {out}; open {out / 'report.html'}")
        return EXIT_OK

    raise typer.Exit(_run_guarded(verbose, body))


@app.command()
def screen(
    paths: PathsArg,
    csv_file: Annotated[
        Optional[Path], typer.Option("--csv", help="Write every ranked document to this CSV file.")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=0, help="Rows in the printed table (0: all).")] = 20,
    min_confidence: ThresholdOpt = None,
    glob: GlobOpt = None,
    exclude: ExcludeOpt = None,
    lexicon: LexiconOpt = None,
    ignore_phrases: IgnoreOpt = None,
    markup: MarkupOpt = None,
    config_file: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Rank documents by spin evidence (confidence-weighted findings per 1,000 words), for triage."""

    def body() -> int:
        from .screen import screen_frame, screen_paths

        config = _config(config_file, isolated, min_confidence, lexicon, ignore_phrases, glob, exclude, markup=markup)
        rows, report = screen_paths(paths, config)
        _print_screen_table(rows[:top] if top else rows, len(rows))
        if csv_file is not None:
            csv_file.parent.mkdir(parents=True, exist_ok=True)
            screen_frame(rows).to_csv(csv_file, index=False)
        _print_file_messages(report, quiet)
        if not quiet:
            _err(report.summary(Mode.CHECK) + (f"; ranking in {csv_file}" if csv_file else ""))
        return EXIT_ERROR if report.count("error") else EXIT_OK

    raise typer.Exit(_run_guarded(verbose, body))


def _print_file_messages(report: RunReport, quiet: bool) -> None:
    """Skipped and failed inputs, one line each on stderr (errors even with --quiet)."""
    for r in report.results:
        if r.status in ("skipped", "error") and r.message and (r.status == "error" or not quiet):
            _err(f"{r.path}: {r.message}")


def _print_screen_table(rows, total: int) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    title = f"Spin evidence, densest first ({len(rows)} of {total})" if len(rows) < total else "Spin evidence"
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("file", overflow="fold")
    table.add_column("words", justify="right")
    table.add_column("findings", justify="right")
    table.add_column("score", justify="right")
    table.add_column("mean conf.", justify="right")
    table.add_column("top phrases", overflow="fold")
    for r in rows:
        mean = "–" if r.mean_confidence is None else f"{r.mean_confidence:.2f}"
        phrases = r.top_phrases if r.status in ("changed", "unchanged") else f"[{r.status}] {r.message}"
        cells = (str(r.rank), r.file, f"{r.words:,}", str(r.findings), f"{r.score:.1f}", mean, phrases)
        table.add_row(*(Text(c) for c in cells))
    Console(file=sys.stdout, highlight=False, soft_wrap=False).print(table)


@app.command("eval")
def eval_(
    gold: Annotated[Path, typer.Argument(help="Gold pairs: JSONL with id, spun, original[, must_fix].")],
    out: Annotated[
        Optional[Path], typer.Option("--out", help="Write outputs (JSONL) here and a CSV summary beside it.")
    ] = None,
    min_confidence: ThresholdOpt = None,
    lexicon: LexiconOpt = None,
    config_file: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    worst: Annotated[int, typer.Option("--worst", min=0, help="How many worst examples to show.")] = 5,
    verbose: VerboseOpt = False,
) -> None:
    """Score the pipeline against gold pairs: fixed, missed, damaged, precision, recall, F0.5."""

    def body() -> int:
        from .evaluate import eval_main

        config = _config(config_file, isolated, min_confidence, lexicon, None, None, None)
        return eval_main(gold, out, config, worst=worst)

    raise typer.Exit(_run_guarded(verbose, body))


@app.command()
def spin(
    paths: PathsArg,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same output.")],
    rate: Annotated[float, typer.Option("--rate", min=0.0, max=1.0, help="Share of content words to swap.")] = 0.2,
    artifact_rate: Annotated[
        Optional[float], typer.Option("--artifact-rate", min=0.0, max=1.0, help="Chance of each mechanical artifact.")
    ] = None,
    unit: Annotated[str, typer.Option("--unit", help="One record per sentence or paragraph.")] = "sentence",
    draw: Annotated[
        str,
        typer.Option(
            "--draw",
            help="How a synonym is picked: rank (first-listed ones more often), uniform, common (frequent ones).",
        ),
    ] = "rank",
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the gold JSONL here (default: stdout).")] = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Make synthetic spun/original pairs (gold JSONL: id, spun, original, must_fix) for evaluation."""

    def body() -> int:
        from .spin import DRAWS, spin_files

        if unit not in ("sentence", "paragraph"):
            raise _Failure(f"error: --unit must be sentence or paragraph, not {unit!r}")
        if draw not in DRAWS:
            raise _Failure(f"error: --draw must be one of {', '.join(DRAWS)}, not {draw!r}")
        options: dict[str, object] = {"unit": unit, "draw": draw}
        if artifact_rate is not None:
            options["artifact_rate"] = artifact_rate
        result = spin_files(paths, seed, rate, out, **options)
        for path, message in result.errors:
            _err(f"{path}: {message}")
        if not quiet:
            _err(f"{result.files} file(s), {result.records} record(s)" + (f" written to {out}" if out else ""))
        return EXIT_ERROR if result.errors else 0

    raise typer.Exit(_run_guarded(verbose, body))


def run() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    run()
