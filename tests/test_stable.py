"""Cleaning is a fixed point: a repair that would be changed by a second run is held back or completed."""

from __future__ import annotations

from repair import Config, apply_edits, clean_text


def test_a_repair_that_forms_another_spin_is_held_back():
    # "contemptuous discourse" -> "hate speech" would make "hate speech cancer", and
    # "speech cancer" is itself a known spin: the next run would change it again.
    result = clean_text("They studied contemptuous discourse cancer rates.")
    assert result.text == "They studied contemptuous discourse cancer rates."
    [edit] = [e for e in result.edits if e.spun == "contemptuous discourse"]
    assert not edit.applied and 'another spin ("speech cancer")' in edit.reason
    assert clean_text(result.text).text == result.text


def test_an_edit_displaced_by_a_held_back_one_gets_its_chance(tmp_path):
    # "vitality reservoirs" (the longer span) outranks "elective vitality", but its repair
    # would leave "elective energy", a spin of its own: it is held back, and the edit it
    # had displaced is decided again and written.
    lexicon = tmp_path / "mine.tsv"
    rows = [
        "vitality reservoirs\tenergy reservoirs",
        "elective vitality\trenewable energy",
        "elective energy\trenewable energy",
    ]
    lexicon.write_text("spun\toriginal\n" + "\n".join(rows) + "\n", encoding="utf-8")
    config = Config(builtin_lexicons=(), extend_lexicon=(str(lexicon),))
    result = clean_text("They built elective vitality reservoirs last year.", config)
    assert result.text == "They built renewable energy reservoirs last year."
    held = next(e for e in result.edits if e.spun == "vitality reservoirs")
    assert not held.applied and 'another spin ("elective energy")' in held.reason
    assert [e.spun for e in result.edits if e.applied] == ["elective vitality"]
    assert clean_text(result.text, config).text == result.text


def test_context_created_by_a_repair_completes_in_the_same_run(tmp_path):
    lexicon = tmp_path / "mine.tsv"
    lexicon.write_text("spun\toriginal\nsickness ward\tcancer ward\n", encoding="utf-8")
    config = Config(extend_lexicon=(str(lexicon),))
    text = "A malignant growth was seen.\nThey moved to the sickness ward."
    result = clean_text(text, config)
    # "malignant growth" is an and-context row waiting for "cancer", which only the other repair brings.
    assert result.text == "A cancer was seen.\nThey moved to the cancer ward."
    assert apply_edits(text, result.edits) == result.text
    added = next(e for e in result.edits if e.spun == "malignant growth")
    assert (added.start, added.line, added.col) == (2, 1, 3) and text[added.start : added.end] == added.spun
    assert clean_text(result.text, config).text == result.text


def test_windowed_check_equals_a_second_run_with_tight_windows():
    """With windows of a few words, the check still catches every change a second run would make."""
    from unittest import mock

    from fuzzing import check_text, texts
    from hypothesis import HealthCheck, given, settings

    import repair.stable as stable

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(texts(max_parts=60))
    def run(text):
        check_text(text)

    with mock.patch.object(stable, "REACH", 12):
        run()


def test_a_windows_line_break_is_no_paragraph_break():
    """ "\r\n" is one line break: a spin the repair forms across it is seen (hypothesis found this)."""
    text = "contemptuous discourse\r\ncancer "
    result = clean_text(text)
    assert clean_text(result.text).text == result.text


def test_windows_end_at_whitespace_never_inside_a_word():
    """The check's window ends at whitespace of any kind (a tab too), and never inside the word after a repair."""
    from unittest import mock

    import repair.stable as stable

    with mock.patch.object(stable, "REACH", 12):
        for text in ("contemptuous discourse cancer\tare able to't ", "contemptuous discourse cancer-0.33 birthday "):
            result = clean_text(text)
            assert clean_text(result.text).text == result.text
