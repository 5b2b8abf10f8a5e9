"""Names written in Latin or Cyrillic: Serbian and Macedonian transliteration for searching.

Names are stored as the person writes them, so "Petrović" and "Петровић" are the same surname in two
scripts. A search term is turned into every spelling it may have been stored in, and any of them matches.
"""

from __future__ import annotations

from django.db.models import Q

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


def words_match(term: str, fields: tuple[str, ...]) -> Q:
    """Each word of `term`, in any of its spellings, is contained in one of `fields` (case ignored)."""
    condition = Q()
    for word in term.split():
        any_field = Q()
        for spelling in spellings(word):
            for field in fields:
                any_field |= Q(**{f"{field}__icontains": spelling})
        condition &= any_field
    return condition
