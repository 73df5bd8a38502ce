"""Odd inputs and safe writes: every case issue 8 lists, through the CLI where users meet it."""

from __future__ import annotations

import codecs
import os

import pytest
from typer.testing import CliRunner

from repair.cli import app
from repair.config import Config
from repair.runner import FileJob, Mode, RunOptions, process_file

SPUN = "We used counterfeit consciousness and an irregular woodland."
FIXED = "We used artificial intelligence and a random forest."


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def clean_out(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["clean", *args])
    return result.exit_code, result.stdout, result.stderr


# --------------------------------------------------------------------------- encodings and layout


@pytest.mark.parametrize(
    ("name", "original", "expected"),
    [
        ("empty", b"", b""),
        ("utf8", SPUN.encode(), FIXED.encode()),
        ("utf8-bom", codecs.BOM_UTF8 + SPUN.encode(), codecs.BOM_UTF8 + FIXED.encode()),
        ("utf16-le-bom", SPUN.encode("utf-16"), FIXED.encode("utf-16")),
        (
            "utf16-be-bom",
            codecs.BOM_UTF16_BE + SPUN.encode("utf-16-be"),
            codecs.BOM_UTF16_BE + FIXED.encode("utf-16-be"),
        ),
        ("utf16-le-no-bom", SPUN.encode("utf-16-le"), FIXED.encode("utf-16-le")),
        ("utf16-be-no-bom", SPUN.encode("utf-16-be"), FIXED.encode("utf-16-be")),
        (
            "cp1252",
            ("Café: " + SPUN + " “ok” — naïve").encode("cp1252"),
            ("Café: " + FIXED + " “ok” — naïve").encode("cp1252"),
        ),
        (
            "latin-1",
            ("Très bien: " + SPUN + " déjà vu").encode("latin-1"),
            ("Très bien: " + FIXED + " déjà vu").encode("latin-1"),
        ),
        ("crlf", (SPUN + "\r\nsecond\r\n").encode(), (FIXED + "\r\nsecond\r\n").encode()),
        ("cr-only", (SPUN + "\rsecond\r").encode(), (FIXED + "\rsecond\r").encode()),
        ("mixed", ("a\r\n" + SPUN + "\nb\rc\r\n").encode(), ("a\r\n" + FIXED + "\nb\rc\r\n").encode()),
        ("no-final-newline", ("first\n" + SPUN).encode(), ("first\n" + FIXED).encode()),
        ("tabs", ("\t" + SPUN.replace(" ", "\t ") + "  \t\n").encode(), None),
        ("long-line", (("word " * 200_000) + SPUN + (" word" * 1000)).encode(), None),
        ("clean", b"Plain text.\n\n\tIndented.\r\n", b"Plain text.\n\n\tIndented.\r\n"),
    ],
)
def test_out_dir_writes_back_in_the_input_encoding(runner, tmp_path, name, original, expected):
    src = tmp_path / "in" / f"{name}.txt"
    src.parent.mkdir()
    src.write_bytes(original)
    code, _, stderr = clean_out(runner, str(src.parent), "--out-dir", str(tmp_path / "out"))
    assert code == 0, stderr
    out = (tmp_path / "out" / src.name).read_bytes()
    if expected is not None:
        assert out == expected
    if name == "tabs":
        # Tabs are whitespace between words: the phrase matches, every tab outside it stays.
        assert out.startswith(b"\tWe\t") and out.endswith(b"  \t\n")
    if name == "long-line":
        assert out == original.replace(SPUN.encode(), FIXED.encode())
    assert src.read_bytes() == original


def test_unencodable_proposal_is_refused_not_written_lossy(runner, tmp_path):
    lexicon = tmp_path / "mine.tsv"
    lexicon.write_text("spun\toriginal\nalfa molecule\tα-molecule\n", encoding="utf-8")
    src = tmp_path / "in" / "legacy.txt"
    src.parent.mkdir()
    data = "Le café: the alfa molecule binds.\n".encode("cp1252")
    src.write_bytes(data)
    result = runner.invoke(app, ["check", "--verbose", "--lexicon", str(lexicon), str(src)])
    assert "[not applied]" in result.stdout
    code, _, _ = clean_out(runner, str(src.parent), "--out-dir", str(tmp_path / "out"), "--lexicon", str(lexicon))
    assert code == 0
    assert (tmp_path / "out" / "legacy.txt").read_bytes() == data
    job = FileJob(str(src), "legacy.txt")
    config = Config(extend_lexicon=(str(lexicon),))
    [edit] = process_file(job, config, RunOptions(mode=Mode.CHECK)).edits
    assert not edit.applied and "cannot be written in the file's encoding" in edit.reason


def test_binary_file_is_skipped_with_one_line(runner, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "in" / "ok.txt").write_text(SPUN)
    code, _, stderr = clean_out(runner, str(tmp_path / "in"), "--out-dir", str(tmp_path / "out"))
    assert code == 0
    assert [line for line in stderr.splitlines() if "photo.txt" in line] == [
        f"{tmp_path / 'in' / 'photo.txt'}: binary file, skipped"
    ]
    assert (tmp_path / "out" / "ok.txt").read_text() == FIXED


# --------------------------------------------------------------------------- files that cannot be read


def test_broken_symlink_is_exit_2_and_the_rest_is_cleaned(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(SPUN)
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    code, _, stderr = clean_out(runner, str(folder), "--out-dir", str(tmp_path / "out"))
    assert code == 2
    assert "dangling.txt: cannot read: No such file or directory" in stderr
    assert (tmp_path / "out" / "good.txt").read_text() == FIXED
    code, _, stderr = clean_out(runner, str(folder / "dangling.txt"), str(folder / "good.txt"))
    assert code == 2 and "dangling.txt: cannot read" in stderr


def test_unreadable_file_is_exit_2_and_the_rest_is_cleaned(runner, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(SPUN)
    (folder / "secret.txt").write_text(SPUN)
    (folder / "z.txt").write_text(SPUN)
    if os.geteuid() != 0:
        (folder / "secret.txt").chmod(0)
    else:  # root reads anything: make the read itself fail as it would for a user
        import repair.storage as storage

        real = storage.read_input

        def read_input(path: str) -> bytes:
            if path.endswith("secret.txt"):
                raise PermissionError(13, "Permission denied", path)
            return real(path)

        monkeypatch.setattr(storage, "read_input", read_input)
    code, _, stderr = clean_out(runner, str(folder), "--out-dir", str(tmp_path / "out"))
    assert code == 2
    assert "secret.txt: cannot read: Permission denied" in stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".repair-manifest.jsonl", "a.txt", "z.txt"]


def test_fifo_is_refused_not_read(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    (folder / "b.txt").write_text(SPUN)
    code, _, stderr = clean_out(runner, str(folder), "--out-dir", str(tmp_path / "out"))
    assert code == 2 and "pipe.txt: cannot read: not a regular file" in stderr
    assert (tmp_path / "out" / "b.txt").read_text() == FIXED


def test_paths_with_spaces_and_non_ascii_names(runner, tmp_path):
    folder = tmp_path / "my documents" / "résumés 2024"
    folder.mkdir(parents=True)
    (folder / "naïve file ü.txt").write_text(SPUN, encoding="utf-8")
    out = tmp_path / "out dir ✓"
    code, _, stderr = clean_out(runner, str(tmp_path / "my documents"), "--out-dir", str(out))
    assert code == 0, stderr
    assert (out / "résumés 2024" / "naïve file ü.txt").read_text(encoding="utf-8") == FIXED
    code, stdout, _ = clean_out(runner, str(folder / "naïve file ü.txt"))
    assert f"--- {folder / 'naïve file ü.txt'}\toriginal" in stdout
    code, _, _ = clean_out(runner, str(folder / "naïve file ü.txt"), "--in-place")
    assert code == 0 and (folder / "naïve file ü.txt").read_text(encoding="utf-8") == FIXED


# --------------------------------------------------------------------------- writes


def test_in_place_keeps_permissions_and_leaves_no_temporary_files(runner, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(SPUN)
    path.chmod(0o640)
    code, _, _ = clean_out(runner, str(path), "--in-place", "--backup", ".bak")
    assert code == 0
    assert path.read_text() == FIXED and path.stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "doc.txt.bak").read_text() == SPUN
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.txt", "doc.txt.bak"]


def test_in_place_through_a_symlink_rewrites_the_target_and_keeps_the_link(runner, tmp_path):
    target = tmp_path / "real.txt"
    target.write_text(SPUN)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    code, _, _ = clean_out(runner, str(link), "--in-place")
    assert code == 0
    assert link.is_symlink() and target.read_text() == FIXED


def test_unchanged_files_are_not_rewritten_in_place(runner, tmp_path):
    path = tmp_path / "clean.txt"
    path.write_text("Nothing spun here.\n")
    before = path.stat()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns - 10**9))
    mtime = path.stat().st_mtime_ns
    assert clean_out(runner, str(path), "--in-place", "--backup", ".bak")[0] == 0
    assert path.stat().st_mtime_ns == mtime and not (tmp_path / "clean.txt.bak").exists()


def test_out_dir_copies_keep_the_input_permissions(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "spun.txt").write_text(SPUN)
    (folder / "clean.txt").write_text("Plain.\n")
    for p in folder.iterdir():
        p.chmod(0o640)
    assert clean_out(runner, str(folder), "--out-dir", str(tmp_path / "out"))[0] == 0
    for name in ("spun.txt", "clean.txt"):
        assert (tmp_path / "out" / name).stat().st_mode & 0o777 == 0o640 & ~_umask()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_out_dir_equal_to_the_input_never_overwrites_it(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "spun.txt").write_text(SPUN)
    code, _, stderr = clean_out(runner, str(folder), "--out-dir", str(folder))
    assert code == 2 and "refusing to overwrite the input" in stderr
    assert (folder / "spun.txt").read_text() == SPUN


def test_out_dir_inside_the_input_is_never_read_back(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "spun.txt").write_text(SPUN)
    for jobs in ("1", "2"):
        code, _, _ = clean_out(runner, str(folder), "--out-dir", str(folder / "cleaned"), "--jobs", jobs)
        assert code == 0
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "cleaned/.repair-manifest.jsonl",
        "cleaned/spun.txt",
        "spun.txt",
    ]


def test_report_inside_the_input_is_never_read_back(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "spun.txt").write_text(SPUN)
    for _ in range(2):
        result = runner.invoke(app, ["check", str(folder), "--report", str(folder / "report"), "--glob", "*"])
        assert "report/" not in result.stdout


def test_backup_suffix_must_be_a_suffix(runner, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(SPUN)
    code, _, stderr = clean_out(runner, str(path), "--in-place", "--backup", "../x")
    assert code == 2 and "suffix" in stderr


# --------------------------------------------------------------------------- idempotence and determinism


def test_cleaning_the_output_again_changes_nothing(runner, tmp_path, fixtures):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes((fixtures / "tortured_abstract.txt").read_bytes())
    (folder / "b.txt").write_text(SPUN + "\r\n" + SPUN.upper() + "\r\n")
    assert clean_out(runner, str(folder), "--out-dir", str(tmp_path / "once"))[0] == 0
    assert clean_out(runner, str(tmp_path / "once"), "--out-dir", str(tmp_path / "twice"))[0] == 0
    for name in ("a.txt", "b.txt"):
        assert (tmp_path / "once" / name).read_bytes() == (tmp_path / "twice" / name).read_bytes()
    assert (tmp_path / "once" / "a.txt").read_bytes() != (folder / "a.txt").read_bytes()


def test_same_output_on_every_run(runner, tmp_path, fixtures):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes((fixtures / "tortured_abstract.txt").read_bytes())
    outputs = []
    for i in range(2):
        result = runner.invoke(app, ["clean", str(folder), "--report", str(tmp_path / f"r{i}")])
        outputs.append((result.stdout, (tmp_path / f"r{i}" / "edits.jsonl").read_bytes()))
    assert outputs[0] == outputs[1]
