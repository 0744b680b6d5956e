"""People's names in free text, in any case, listed or not.

A word is taken for a first name when

- it is in the first-name list (``listening/data/first_names.txt``, about
  33,000 names) and is not also an everyday word (``name_words.txt``:
  "will", "may", "grace", "mark"), in any case: ``jake``, ``JAKE``;
- it is such an everyday word, but its use shows it is a name: capitalised
  in mid-sentence ("me and Grace"), after "my friend", "called", "me and",
  before "said", "got", "keeps", "and me", or beside another name
  ("grace and will got chased");
- it is not an English word at all (too rare in the ``wordfreq`` word
  frequencies) and is capitalised, or its use shows it is a name ("me and
  kez", "jonno and his mates", "Tyrone got stabbed");
- its letters were disguised (look-alike or invisible characters) and it
  would be a name otherwise.

A surname or initial straight after a first name goes with it ("bradley
smith", "liam o'connor", "ethan w"). District, town and other place names,
calendar words and apps (``safe_words.txt``) are never names.

Examples
--------
>>> from listening.publish.normalise import normalise
>>> text = "me and kez saw Tyrone. will said he'd come, i will not"
>>> [text[a:b] for a, b in find_names(normalise(text))]
['kez', 'Tyrone', 'will']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from wordfreq import zipf_frequency

from listening.paths import DATA_DIR
from listening.publish.normalise import Normalised

_WORD = re.compile(
    r"(?<![\w])[A-Za-zÀ-ÖØ-öø-ÿĀ-ž](?:[A-Za-zÀ-ÖØ-öø-ÿĀ-ž'’]|-(?=[A-Za-z]))*(?![\w])"
)
_STOPWORDS = frozenset(
    """i me my mine myself we us our ours you your yours he him his she her hers it its they them
    their theirs what which who whom this that these those am is are was were be been being have
    has had having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up down in
    out on off over under again further then once here there when where why how all any both
    each few more most other some such no nor not only own same so than too very s t can just
    don should now im ive id ill dont cant wont isnt arent wasnt didnt doesnt u ur ya yeah yes
    lol idk tbh ok okay like get got go going gonna wanna also even still really please cus cos
    coz bc tho though people ppl kids someone anyone everyone nobody thing things mum mam mom
    dad nan nana nanny gran grandad grandma grandpa auntie aunty uncle bro sis man men woman
    women lad lads boy boys girl girls guy guys kid mate mates bruv fam""".split()
)
_INTRO = re.compile(
    r"(?i)(?:\bmy\s+(?:(?:best\s+|little\s+|big\s+|older\s+|younger\s+)?"
    r"(?:friend|mate|bro|brother|sister|sis|cousin|boyfriend|girlfriend|bf|gf|bestie|pal|"
    r"neighbour|ex|step\s*brother|step\s*sister|son|daughter)s?)|\bcalled|\bnamed|\bnamed\s+as|"
    r"\bme\s+and|\bme\s*&|\bme\s+n|\bwith\s+my\s+mate|\blads?\s+like|\bkids?\s+like|"
    r"\bgirls?\s+like|\bboys?\s+like|\bppl\s+like|\bpeople\s+like|\btell|\bask|"
    r"\bhis\s+name\s+is|\bher\s+name\s+is|\bname'?s|\bsaid\s+to|\bleave|\bmessage|\bmsg|"
    r"\btext|\bring|\bcall|\bdm|\bletting|\blet|\bstab|\bstabbed|\bhit|\bpunched|"
    r"\b(?:friend|mate|cousin|brother|bro|sister|sis|bf|gf)s?)\s*,?\s*$"
)
_AFTER_VERBS = frozenset(
    """said says told tells got gets keeps kept started starts threatened threatend threatens
    punched hit hits sells sold deals dealt brought brings filmed posted posts tried tries cried
    bullies bullied pushed pushes pushing smashed smash smashes stole steals robbed robs attacked
    attacks chased chases followed follows shouted shouts sent sends knows knew lives lived wont
    doesnt didnt always never carries carried invited invites reported makes made spread spreads
    from messaged texted rang asked stabbed jumped fights fought vapes smokes swears
    harasses harassed stalks stalked wants needs needed""".split()
)
_AFTER = re.compile(
    r"(?i)^\s*(?:['’]s\b|,?\s*(?:and|&|n)\s+(?:me|i|his|her|their)\b|(?:"
    + "|".join(sorted(_AFTER_VERBS))
    + r")\b)"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?\n:;\"(]|\s-)\s*$")
_JOIN = re.compile(r"^\s*(?:,|and|&|n|or|\+)\s*$", re.IGNORECASE)
_SURNAME_PREFIX = re.compile(r"(?i)^(?:o['’]|mc|mac|de|van|von|al-|el-|fitz)[a-z]")
_RARE = 2.6  # below this Zipf frequency a word is not an everyday English word


def find_names(
    norm: Normalised,
    *,
    names: Sequence[str] = (),
    places: Sequence[str] = (),
    taken: Iterable[tuple[int, int]] = (),
) -> list[tuple[int, int]]:
    """Spans of ``norm.text`` that are people's names (see the module docstring).

    Parameters
    ----------
    norm : Normalised
        From :func:`listening.publish.normalise.normalise`.
    names : sequence of str
        Extra names, found in any case.
    places : sequence of str
        Extra words never taken for names.
    taken : iterable of (start, end)
        Spans already found as something else; words inside are skipped.

    Returns
    -------
    list of (start, end)
        In text order.

    Examples
    --------
    >>> from listening.publish.normalise import normalise
    >>> find_names(normalise("me and grace got chased"))
    [(7, 12)]
    """
    text = norm.text
    blocked = list(taken)
    extra = {n.casefold() for n in names if n.strip()}
    safe = safe_words() | {p.casefold() for p in places}
    shouting = _shouting(text)
    words = [
        m
        for m in _WORD.finditer(text)
        if not any(a < m.end() and m.start() < b for a, b in blocked)
    ]
    kinds = [_kind(m, text, safe, extra, shouting, norm) for m in words]
    kinds = _pairs(words, kinds, text)
    spans = [(m.start(), m.end()) for m, k in zip(words, kinds, strict=True) if k == "name"]
    spans += _phrases(text, extra)
    spans += _surnames(words, kinds, text, shouting)
    return sorted(set(spans))


def is_common(word: str, threshold: float = _RARE) -> bool:
    """Whether ``word`` is an everyday English word (Zipf frequency at least ``threshold``).

    Examples
    --------
    >>> is_common("park"), is_common("jonno")
    (True, False)
    """
    return _zipf(word.casefold().strip("'’")) >= threshold


def is_stopword(word: str) -> bool:
    """Whether ``word`` is a function word or filler never taken for a name.

    Examples
    --------
    >>> is_stopword("The"), is_stopword("jake")
    (True, False)
    """
    return word.casefold().replace("'", "").replace("’", "") in _STOPWORDS


def _kind(
    m: re.Match[str],
    text: str,
    safe: frozenset[str] | set[str],
    extra: set[str],
    shouting: bool,
    norm: Normalised,
) -> str:
    """``name``, ``maybe`` (a listed name that is also a word, or an unknown word) or ``word``."""
    word = m.group(0)
    key = _key(word)
    if key in extra:
        return "name"
    if not key or key in safe or is_stopword(key) or len(key) < 2:
        return "word"
    capital = word[0].isupper() and (not word.isupper() or len(word) == 1) and not shouting
    starts = _SENTENCE_START.search(text[: m.start()]) is not None
    context = _context(m, text)
    disguised = norm.disguised(m.start(), m.end())
    listed = _listed(key)
    if listed and (key not in _name_words() or disguised):
        return "name"
    if listed:
        if context or (capital and not starts):
            return "name"
        return "maybe"
    if _INTRO.search(text[max(0, m.start() - 40) : m.start()]) and not is_common(key, 4.5):
        return "name"  # "me and tash", "a lad called dex"
    if is_common(key):
        return "word"
    if word.rstrip("s").isupper() and len(word) <= 6 and not shouting:
        return "word"  # an acronym: PCSO, CCTV, PCSOs
    if context or capital or disguised:
        return "name"
    return "maybe"


def _context(m: re.Match[str], text: str) -> bool:
    before = text[max(0, m.start() - 40) : m.start()]
    after = text[m.end() : m.end() + 30]
    return bool(_INTRO.search(before) or _AFTER.search(after))


def _pairs(words: list[re.Match[str]], kinds: list[str], text: str) -> list[str]:
    """A possible name joined by "and" or a comma to a name is a name too."""
    kinds = list(kinds)
    changed = True
    while changed:
        changed = False
        for i in range(len(words) - 1):
            j = i + 1
            if words[j].group(0).lower() in {"and", "n", "or"} and j + 1 < len(words):
                j += 1
            gap = text[words[i].end() : words[j].start()]
            if {kinds[i], kinds[j]} == {"name", "maybe"} and _JOIN.match(gap):
                kinds[i] = kinds[j] = "name"
                changed = True
    return kinds


def _surnames(
    words: list[re.Match[str]], kinds: list[str], text: str, shouting: bool
) -> list[tuple[int, int]]:
    spans = []
    for i in range(len(words) - 1):
        nxt = words[i + 1]
        if kinds[i] != "name" or kinds[i + 1] == "name":
            continue
        if not re.fullmatch(r" {1,2}", text[words[i].end() : nxt.start()]):
            continue
        token = nxt.group(0)
        key = _key(token)
        if is_stopword(key) or key in safe_words() or key in _AFTER_VERBS:
            continue
        capital = token[0].isupper() and not shouting and words[i].group(0)[0].isupper()
        initial = len(key) == 1 and key not in "aiunrbcy"  # not "u", "n" (and), "r" (are)
        surname = key in _surnames_list() and not is_common(key, 4.8)
        if initial or capital or surname or _SURNAME_PREFIX.match(token) or not is_common(key):
            spans.append((nxt.start(), nxt.end()))
    return spans


def _phrases(text: str, extra: set[str]) -> list[tuple[int, int]]:
    """Extra names of more than one word, found as phrases."""
    spans = []
    for name in extra:
        if " " in name:
            pattern = r"\s+".join(re.escape(part) for part in name.split())
            spans += [(m.start(), m.end()) for m in re.finditer(rf"(?i)\b{pattern}\b", text)]
    return spans


def _shouting(text: str) -> bool:
    """Whether the answer is written in capitals, so case says nothing."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def _key(word: str) -> str:
    key = word.casefold().replace("’", "'")
    if key.endswith("'s"):
        key = key[:-2]
    return key.strip("'-")


def _listed(key: str) -> bool:
    if key in _first_names() or _ascii(key) in _first_names():
        return True
    parts = key.split("-")
    return len(parts) > 1 and all(p in _first_names() for p in parts)


@lru_cache(maxsize=50_000)
def _zipf(word: str) -> float:
    return zipf_frequency(word, "en")


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    return _word_list("first_names.txt")


@lru_cache(maxsize=1)
def _name_words() -> frozenset[str]:
    return _word_list("name_words.txt")


@lru_cache(maxsize=1)
def _surnames_list() -> frozenset[str]:
    return _word_list("surnames.txt")


@lru_cache(maxsize=1)
def safe_words() -> frozenset[str]:
    """Words never taken for names: places, calendar words, apps (``safe_words.txt``).

    Examples
    --------
    >>> "wisbech" in safe_words() and "march" in safe_words()
    True
    """
    return _word_list("safe_words.txt")


def _ascii(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def _word_list(name: str) -> frozenset[str]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and line[0] != "#")
