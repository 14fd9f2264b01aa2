"""Content owners' regular expressions: compiled the same way and matched on the same readings.

Why: safety.yml and referral.yml are both lists of patterns written by non-programmers. One
convention for both (lower-cased text, matches start at a word start, æ/ø/å typed as
ae/oe/aa understood) keeps the files predictable, and one place reports a broken pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# How æ, ø, å are typed on keyboards without them; read back before matching.
_ASCII = (("ae", "æ"), ("oe", "ø"), ("aa", "å"))
# Every word, though only those with ae/oe/aa change: `\w*(?:ae|oe|aa)\w*` took time quadratic
# in the length of a long word without them.
_WORD = re.compile(r"\w+")


def compile_patterns(patterns: Iterable[str], where: str, problems: list[str]) -> tuple[re.Pattern[str], ...]:
    """Compile so that each pattern only matches from the start of a word ("en barn" must not
    match inside "ingen barn"); a broken pattern, or one that matches any text, is added to
    `problems` and skipped."""
    compiled = []
    for pattern in patterns:
        try:
            regex = re.compile(rf"(?<!\w)(?:{pattern})")
        except re.error as error:
            problems.append(f"{where}: bad pattern {pattern!r}: {error}")
            continue
        if regex.search(""):
            problems.append(f"{where}: pattern {pattern!r} matches any text (an empty alternative, like a trailing |?)")
            continue
        compiled.append(regex)
    return tuple(compiled)


def readings(message: str) -> tuple[str, ...]:
    """The message lower-cased with single spaces, and, if it has "oe"/"ae"/"aa", also read
    with ø/æ/å ("foeler" -> "føler"), since a pattern may match either ("noe" stays "noe")."""
    text = " ".join(message.lower().split())
    restored = _WORD.sub(lambda m: _restore(m.group(0)), text)
    return (text, restored) if restored != text else (text,)


def _restore(word: str) -> str:
    for typed, letter in _ASCII:
        word = word.replace(typed, letter)
    return word


def first_match(patterns: Sequence[re.Pattern[str]], texts: Sequence[str]) -> str:
    """The text of the first match of any pattern in any reading ("" when none matches)."""
    for pattern in patterns:
        for text in texts:
            match = pattern.search(text)
            if match:
                return match.group(0)
    return ""
