"""Make a proposal fit the place it goes: capitalisation, hyphens and the article before it.

Each fix is a small function so the proposer can apply them in order and the
tests can check each one alone (ftfy's style).
"""

from __future__ import annotations

import re

from .segment import PARAGRAPH_BREAK

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")

# Words whose first letter misleads the a/an choice.
_AN_EXCEPTIONS = ("hour", "honest", "honou", "heir", "herb")
_A_EXCEPTIONS = ("uni", "use", "usu", "uti", "eu", "one", "once", "ubiq", "ura", "ure", "uro")


def _all_caps(text: str) -> bool:
    """Two or more letters, every one a capital ("IRREGULAR WOODLAND"; not "A" or "MRI scan")."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def match_case(spun: str, proposal: str) -> str:
    """Give ``proposal`` the capitalisation pattern of ``spun``.

    ALL CAPS stays all caps; a capitalised first word capitalises the proposal's
    first letter; Title Case capitalises every lower-case word. Letters the
    lexicon wrote in capitals (acronyms, names) are never lowered.

    >>> match_case("Counterfeit consciousness", "artificial intelligence")
    'Artificial intelligence'
    >>> match_case("IRREGULAR WOODLAND", "random forest")
    'RANDOM FOREST'
    >>> match_case("Irregular Woodland", "random forest")
    'Random Forest'
    """
    if _all_caps(spun):
        return proposal.upper()
    words = _WORD.findall(spun)
    if not words or not words[0][:1].isupper():
        return proposal
    if len(words) > 1 and all(w[:1].isupper() for w in words):
        return _WORD.sub(lambda m: m.group()[:1].upper() + m.group()[1:], proposal)
    return proposal[:1].upper() + proposal[1:]


_BLANKS_OR_HYPHENS = re.compile(r"[\s-]+")


def match_gaps(spun: str, proposal: str) -> str:
    """Give a word-for-word proposal the gaps between the spun words: hyphens and line breaks.

    A spinner swaps the words of "fine-tuned" one at a time and keeps the hyphen
    ("great-tuned"); a lexicon row, which matches with hyphens and line breaks
    folded, writes its original with single spaces. Only for proposals with as many
    words as the spun text: the words then stand for each other one by one. Each
    single space of the proposal takes the spun gap in its place when that gap is
    only blanks and hyphens, so a hard-wrapped line stays wrapped where it was; the
    proposal's own hyphens and other gaps ("sq. " against " ") stay as they are.

    >>> match_gaps("great-tuned", "fine tuned"), match_gaps("actual globe", "real world")
    ('fine-tuned', 'real world')
    >>> match_gaps("irregular\\r\\nwoodland", "random forest")
    'random\\r\\nforest'
    >>> match_gaps("kingdom-of artwork", "state of the art")
    'state of the art'
    """
    theirs, ours = list(_WORD.finditer(spun)), list(_WORD.finditer(proposal))
    if len(theirs) != len(ours) or len(ours) < 2:
        return proposal
    out = [proposal[: ours[0].start()]]
    for k in range(len(ours) - 1):
        out.append(ours[k].group())
        gap = proposal[ours[k].end() : ours[k + 1].start()]
        spun_gap = spun[theirs[k].end() : theirs[k + 1].start()]
        out.append(spun_gap if gap == " " and _BLANKS_OR_HYPHENS.fullmatch(spun_gap) else gap)
    out.append(proposal[ours[-1].start() :])
    return "".join(out)


def match_word_case(form: str, model: str) -> str:
    """Give one word the case of another: ALL CAPS, Capitalised, or as it is.

    >>> match_word_case("forests", "WOODLANDS"), match_word_case("forests", "Woodlands")
    ('FORESTS', 'Forests')
    """
    if model.isupper() and len(model) > 1:
        return form.upper()
    if model[:1].isupper():
        return form[:1].upper() + form[1:]
    return form


def article_for(word: str) -> str:
    """ "a" or "an" for the word that follows the article (by its sound, roughly)."""
    lower = word.lower()
    if not lower:
        return "a"
    if lower.startswith(_AN_EXCEPTIONS):
        return "an"
    if lower.startswith(_A_EXCEPTIONS):
        return "a"
    if word.isupper() and len(word) > 1:  # acronyms read letter by letter
        return "an" if lower[0] in "aefhilmnorsx" else "a"
    return "an" if lower[0] in "aeiou" else "a"


#: What may stand between an article and its phrase: blanks, and one opening quote
#: or bracket ('an "irregular woodland"' is still the phrase's article).
ARTICLE_GAP = r"\s+[\"'\u201c\u2018(\[]?"
_ARTICLE_BEFORE = re.compile(rf"(?<![^\W_])(a|an|A|An|AN)({ARTICLE_GAP})$")


_PARAGRAPH = re.compile(PARAGRAPH_BREAK)


def fix_article(text: str, start: int, spun: str, proposal: str) -> tuple[int, str, str]:
    """Widen an edit to include the article before it when a/an must change.

    Returns ``(start, spun, proposal)``: unchanged when the article still fits,
    otherwise starting at the article, with the right article in the proposal.

    >>> fix_article("an irregular woodland", 3, "irregular woodland", "random forest")
    (0, 'an irregular woodland', 'a random forest')
    >>> fix_article("AN IRREGULAR WOODLAND", 3, "IRREGULAR WOODLAND", "RANDOM FOREST")
    (0, 'AN IRREGULAR WOODLAND', 'A RANDOM FOREST')
    """
    m = _ARTICLE_BEFORE.search(text[max(0, start - 8) : start])
    if not m or _PARAGRAPH.search(m.group(2)):
        # An article at the end of the previous paragraph belongs to nothing here
        # (and a file streamed in chunks cut at paragraph breaks could not see it).
        return start, spun, proposal
    words = _WORD.findall(proposal)
    if not words:
        return start, spun, proposal
    old = m.group(1)
    # In all-caps text every word looks like an acronym ("AN RANDOM FOREST"):
    # capitals say nothing there, so the article follows the word's sound.
    shouting = _all_caps(spun)
    new = article_for(words[0].lower() if shouting else words[0])
    if old.lower() == new:
        return start, spun, proposal
    if old == "A":  # one capital: the start of a sentence, or all-caps text
        new = new.upper() if shouting else new.capitalize()
    else:
        new = match_case(old, new)
    begin = start - len(m.group(0))
    return begin, text[begin:start] + spun, new + m.group(2) + proposal
