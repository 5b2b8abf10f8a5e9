"""Names written in Latin or Cyrillic: Serbian and Macedonian transliteration for searching.

Names are stored as the person writes them, so "Petrović" and "Петровић" are the same surname in two
scripts. A search word becomes one pattern matching every spelling it may have been stored in, in either
script, with or without diacritics ("Petrovic", as typed on a keyboard without them, finds "Petrović").
"""

from __future__ import annotations

import re

from django.db.models import Q, Value
from django.db.models.functions import Upper
from django.db.models.lookups import Regex

# Serbian and Macedonian Cyrillic → Latin (Serbian Latin for ђ, ћ; the usual Macedonian digraphs for ѓ, ќ, ѕ).
_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "ѓ": "gj", "е": "e", "ж": "ž", "з": "z",
    "ѕ": "dz", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "ќ": "kj", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "č", "џ": "dž", "ш": "š",
}  # fmt: skip

# Latin → Cyrillic letter by letter; the digraphs below are tried first.
_LATIN_LETTERS = {
    "a": "а", "b": "б", "c": "ц", "č": "ч", "ć": "ћ", "d": "д", "đ": "ђ", "e": "е", "f": "ф", "g": "г",
    "h": "х", "i": "и", "j": "ј", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р",
    "s": "с", "š": "ш", "t": "т", "u": "у", "v": "в", "z": "з", "ž": "ж",
}  # fmt: skip
_SERBIAN_DIGRAPHS = {"dž": "џ", "lj": "љ", "nj": "њ"}
# Macedonian has no ђ or ћ: gj, kj (also written ǵ, ḱ) and dz are letters of their own.
_MACEDONIAN_DIGRAPHS = {"dž": "џ", "lj": "љ", "nj": "њ", "gj": "ѓ", "kj": "ќ", "dz": "ѕ", "ǵ": "ѓ", "ḱ": "ќ"}


def to_latin(text: str) -> str:
    """Cyrillic letters in Latin, other characters unchanged (the result is lower case)."""
    return "".join(_CYRILLIC_TO_LATIN.get(char, char) for char in text.lower())


def _to_cyrillic(text: str, digraphs: dict[str, str]) -> str:
    text = text.lower()
    out, i = [], 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in digraphs:
            out.append(digraphs[pair])
            i += 2
            continue
        char = text[i]
        out.append(digraphs.get(char) or _LATIN_LETTERS.get(char, char))
        i += 1
    return "".join(out)


def to_serbian_cyrillic(text: str) -> str:
    return _to_cyrillic(text, _SERBIAN_DIGRAPHS)


def to_macedonian_cyrillic(text: str) -> str:
    return _to_cyrillic(text, _MACEDONIAN_DIGRAPHS)


def spellings(term: str) -> list[str]:
    """Every script a term may be stored in: as typed, in Latin, in Serbian and in Macedonian Cyrillic."""
    term = term.strip()
    if not term:
        return []
    candidates = [term, to_latin(term), to_serbian_cyrillic(term), to_macedonian_cyrillic(term)]
    unique: list[str] = []
    for candidate in candidates:
        if candidate.lower() not in (u.lower() for u in unique):
            unique.append(candidate)
    return unique


# Letters people often type without their diacritics (đ also as "dj"; the Macedonian ǵ, ḱ as "gj", "kj").
_FOLD = {"č": "c", "ć": "c", "š": "s", "ž": "z", "đ": "dj", "ǵ": "gj", "ḱ": "kj"}
# What a folded letter may have been written as, in Latin and in Cyrillic (both cases where the database's
# UPPER() may not know the letter). Digraphs first.
_LATIN_ALTERNATIVES = {
    "dj": "(?:dj|đ|Đ)", "gj": "(?:gj|ǵ|Ǵ)", "kj": "(?:kj|ḱ|Ḱ)",
    "c": "[cčćČĆ]", "s": "[sšŠ]", "z": "[zžŽ]",
}  # fmt: skip
_CYRILLIC_ALTERNATIVES = {
    "dj": "(?:дј|ђ)", "gj": "(?:гј|ѓ)", "kj": "(?:кј|ќ)", "lj": "(?:лј|љ)", "nj": "(?:нј|њ)", "dz": "(?:дз|џ|ѕ)",
    "c": "[цчћ]", "s": "[сш]", "z": "[зж]",
}  # fmt: skip


def fold(text: str) -> str:
    """A term in lower-case Latin without diacritics: "Петровић" and "Petrović" both give "petrovic"."""
    return "".join(_FOLD.get(char, char) for char in to_latin(text))


def _pattern(folded: str, alternatives: dict[str, str], letters: dict[str, str]) -> str:
    out, i = [], 0
    while i < len(folded):
        pair = folded[i : i + 2]
        if len(pair) == 2 and pair in alternatives:
            out.append(alternatives[pair])
            i += 2
            continue
        char = folded[i]
        out.append(alternatives.get(char) or re.escape(letters.get(char, char)))
        i += 1
    return "".join(out)


def word_pattern(word: str) -> str:
    """A regular expression finding `word` in a name written in Latin with or without diacritics, or in Serbian or
    Macedonian Cyrillic: "Petrovic" finds "Petrović", "Petrovic" and "Петровић". Compare both sides upper-cased."""
    folded = fold(word.strip())
    latin = _pattern(folded, _LATIN_ALTERNATIVES, {})
    cyrillic = _pattern(folded, _CYRILLIC_ALTERNATIVES, _LATIN_LETTERS)
    return latin if latin == cyrillic else f"(?:{latin}|{cyrillic})"


def words_match(term: str, fields: tuple[str, ...]) -> Q:
    """Each word of `term` is contained in one of `fields`, in either script, case and diacritics ignored.

    On PostgreSQL the comparison, UPPER(field) ~ UPPER(pattern), is served by the trigram indexes on the
    UPPER() of the inmates' names (inmates migration 0005).
    """
    condition = Q()
    for word in term.split():
        pattern = Upper(Value(word_pattern(word)))
        any_field = Q()
        for field in fields:
            any_field |= Q(Regex(Upper(field), pattern))
        condition &= any_field
    return condition
