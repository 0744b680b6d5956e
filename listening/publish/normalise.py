"""Text as matched: compatibility forms and look-alike letters folded, invisible characters dropped.

:func:`normalise` keeps, for every character of the normalised text, the
position of the original character it came from, so a span found in the
normalised text maps back to the original (:meth:`Normalised.original`).

Examples
--------
>>> norm = normalise("J\\u0430ke\\u200b!")   # Cyrillic a, zero-width space
>>> norm.text
'Jake!'
>>> norm.original(4, 5)  # the "!" is the sixth character of the original
(5, 6)
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import confusable_homoglyphs

_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u2060\u2061\u2062\u2063\u2064\ufeff"
)


@dataclass(frozen=True)
class Normalised:
    """A normalised text and where each of its characters came from.

    Attributes
    ----------
    text : str
        The normalised text.
    source : tuple of int
        ``source[i]`` is the index in the original text of ``text[i]``.
    changed : frozenset of int
        Original positions that were folded or dropped (a sign of disguise).

    Examples
    --------
    >>> normalise("ＪＡＣＫ").text
    'JACK'
    """

    text: str
    source: tuple[int, ...]
    changed: frozenset[int]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the normalised span ``text[start:end]``.

        Invisible characters inside the span are included.

        Examples
        --------
        >>> normalise("a\\u200bb c").original(0, 2)
        (0, 3)
        """
        if end <= start:
            return (self.source[start], self.source[start]) if start < len(self.source) else (0, 0)
        return self.source[start], self.source[end - 1] + 1

    def disguised(self, start: int, end: int) -> bool:
        """Whether the original of ``text[start:end]`` held folded or invisible characters.

        Examples
        --------
        >>> n = normalise("J\\u0430ke and jake")
        >>> n.disguised(0, 4), n.disguised(9, 13)
        (True, False)
        """
        a, b = self.original(start, end)
        return any(i in self.changed for i in range(a, b))


def normalise(text: str) -> Normalised:
    """Fold ``text`` for matching (see the module docstring).

    Examples
    --------
    >>> normalise("s\\u043ephie").text   # Cyrillic o
    'sophie'
    """
    out: list[str] = []
    source: list[int] = []
    changed: set[int] = set()
    fold = _confusables()
    for i, char in enumerate(text):
        if char.isascii():
            out.append(char)
            source.append(i)
            continue
        if char in _INVISIBLE or unicodedata.category(char) == "Cf":
            changed.add(i)
            continue
        folded = unicodedata.normalize("NFKC", char)
        folded = "".join(fold.get(c, _latin(c)) for c in folded)
        if folded != char and unicodedata.normalize("NFD", char)[0] != folded:
            changed.add(i)  # a look-alike, not a letter with an accent
        out.extend(folded)
        source.extend([i] * len(folded))
    return Normalised("".join(out), tuple(source), frozenset(changed))


_LATIN_NAME = re.compile(r"^LATIN (?:SMALL |CAPITAL )?LETTER (?:SMALL CAPITAL )?([A-Z])\b")


@lru_cache(maxsize=4096)
def _latin(char: str) -> str:
    """The plain letter of a Latin letter variant (``ᴊ`` small capital J, ``ƒ``, ``é``).

    Examples
    --------
    >>> _latin("ᴊ"), _latin("ƒ"), _latin("é"), _latin("?")
    ('j', 'f', 'e', '?')
    """
    if char.isascii() or not char.isalpha():
        return char
    match = _LATIN_NAME.match(unicodedata.name(char, ""))
    if match is None:
        return char
    letter = match.group(1)
    return letter if char.isupper() else letter.lower()


def confusable_map() -> dict[str, str]:
    """Look-alike letters of other scripts, each with the Latin letter or digit it imitates.

    From Unicode's confusables list as shipped by ``confusable-homoglyphs``;
    characters that NFKC already folds to ASCII are left to NFKC.

    Examples
    --------
    >>> confusable_map()["\\u0430"]  # Cyrillic small a
    'a'
    """
    return dict(_confusables())


@lru_cache(maxsize=1)
def _confusables() -> dict[str, str]:
    path = Path(confusable_homoglyphs.__file__).parent / "confusables.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    pairs: dict[str, str] = {}
    for char, glyphs in raw.items():
        if len(char) != 1 or char.isascii() or unicodedata.normalize("NFKC", char).isascii():
            continue
        for glyph in glyphs:
            latin = glyph.get("c", "")
            if len(latin) == 1 and latin.isascii() and latin.isalnum():
                pairs.setdefault(char, latin)
                break
    return pairs
