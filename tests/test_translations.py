"""Every user-visible string is translated into the five languages of the region, and the pages use them.

The catalogues live in locale/<lang>/LC_MESSAGES/django.po. These tests read them as text (no polib), check them
with msgfmt, and render the home page after switching language the way a user does (POST /i18n/setlang/).
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from asgiref.local import Local
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import trans_real

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"

# Django locale directory -> the exact Plural-Forms header the language needs.
SLAVIC_3 = "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
LANGUAGES = {
    "sq": "nplurals=2; plural=(n != 1);",
    "sr": SLAVIC_3,
    "sr_Latn": SLAVIC_3,
    "mk": "nplurals=2; plural=(n % 10 == 1 && n % 100 != 11 ? 0 : 1);",
    "bs": SLAVIC_3,
}


# --- a tiny .po reader ------------------------------------------------------------------------------------


def _unquote(text: str) -> str:
    body = text.strip()
    assert body.startswith('"') and body.endswith('"'), body
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body[1:-1])


def parse_po(path: Path) -> list[dict]:
    """Entries as dicts: msgctxt, msgid, msgid_plural, msgstr (list: one item, or one per plural form), flags."""
    entries: list[dict] = []
    current: dict = {}
    field: tuple = ("", None)

    def finish() -> dict:
        if "msgid" in current:
            current["msgstr"] = [current["strs"][i] for i in sorted(current["strs"])]
            entries.append(current)
        return {}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):  # a blank line ends an entry; obsolete entries are not used
            current = finish()
            continue
        if line.startswith("#"):
            if "msgid" in current:
                current = finish()
            if line.startswith("#,"):
                current.setdefault("flags", set()).update(flag.strip() for flag in line[2:].split(","))
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if match:
            keyword, index, value = match.groups()
            if keyword in ("msgctxt", "msgid") and "msgid" in current:
                current = finish()
            current.setdefault("flags", set())
            current.setdefault("strs", {})
            field = ("msgstr", int(index or 0)) if keyword.startswith("msgstr") else (keyword, None)
            if field[0] == "msgstr":
                current["strs"][field[1]] = _unquote(value)
            else:
                current[keyword] = _unquote(value)
            continue
        assert line.startswith('"') and field[0], f"{path}: cannot read line {raw!r}"
        if field[0] == "msgstr":
            current["strs"][field[1]] += _unquote(line)
        else:
            current[field[0]] += _unquote(line)
    finish()
    return entries


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def messages(lang: str) -> list[dict]:
    return [e for e in parse_po(po_path(lang)) if e["msgid"] != ""]


def header(lang: str) -> dict[str, str]:
    head = next(e for e in parse_po(po_path(lang)) if e["msgid"] == "" and "msgctxt" not in e)
    return dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in head["msgstr"][0].splitlines() if ":" in line)
    ) | {"_flags": head["flags"]}


def label(entry: dict) -> str:
    context = f"[{entry['msgctxt']}] " if "msgctxt" in entry else ""
    return context + entry["msgid"]


PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_]\w*\))?[sdif%]")

CYRILLIC_TO_LATIN = dict(
    zip(
        "абвгдђежзијклљмнњопрстћуфхцчџш",
        "a b v g d đ e ž z i j k l lj m n nj o p r s t ć u f h c č dž š".split(),
        strict=True,
    )
)


def to_latin(text: str) -> str:
    out = []
    for i, char in enumerate(text):
        lower = char.lower()
        latin = CYRILLIC_TO_LATIN.get(lower)
        if latin is None:
            out.append(char)
            continue
        if char != lower:
            following = text[i + 1] if i + 1 < len(text) else ""
            all_caps = following.isupper() or (not following.isalpha() and i > 0 and text[i - 1].isupper())
            latin = latin.upper() if len(latin) > 1 and all_caps else latin[0].upper() + latin[1:]
        out.append(latin)
    return "".join(out)


# --- compile once, so a fresh clone (no .mo files) renders translated pages --------------------------------


def _reset_translation_caches() -> None:
    trans_real._translations = {}
    trans_real._default = None
    trans_real._active = Local()
    # Which helpers are cached differs between Django versions; clear whichever are.
    for name in (
        "translation_catalog_exists",
        "check_for_language",
        "get_languages",
        "_get_supported_language_variant",
    ):
        cache_clear = getattr(getattr(trans_real, name, None), "cache_clear", None)
        if cache_clear:
            cache_clear()


@pytest.fixture(scope="session", autouse=True)
def compiled_messages():
    call_command("compilemessages", ignore_patterns=[".venv", "build", "var"], verbosity=0)
    _reset_translation_caches()
    yield
    translation.activate("en")


# --- the catalogues ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_exists_with_a_complete_header(lang):
    assert po_path(lang).is_file(), f"{po_path(lang)} is missing"
    head = header(lang)

    assert "fuzzy" not in head["_flags"], f"{lang}: the header is still marked fuzzy"
    assert head.get("Language") == lang
    assert head.get("Content-Type") == "text/plain; charset=UTF-8"
    assert head.get("Plural-Forms") == LANGUAGES[lang]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(lang):
    entries = messages(lang)
    nplurals = int(re.search(r"nplurals=(\d+)", LANGUAGES[lang]).group(1))

    assert len(entries) > 100, f"{lang}: suspiciously few messages ({len(entries)})"
    fuzzy = [label(e) for e in entries if "fuzzy" in e["flags"]]
    empty = [label(e) for e in entries if not e["msgstr"] or any(not s.strip() for s in e["msgstr"])]
    wrong_forms = [label(e) for e in entries if "msgid_plural" in e and len(e["msgstr"]) != nplurals]
    assert not fuzzy, f"{lang}: fuzzy entries: {fuzzy}"
    assert not empty, f"{lang}: untranslated entries: {empty}"
    assert not wrong_forms, f"{lang}: plural entries without {nplurals} forms: {wrong_forms}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_placeholders_and_surrounding_whitespace(lang):
    problems = []
    for entry in messages(lang):
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        allowed = set(PLACEHOLDER.findall(entry["msgid"])) | set(PLACEHOLDER.findall(sources[1]))
        for form, text in enumerate(entry["msgstr"]):
            used = set(PLACEHOLDER.findall(text)) if "python-format" in entry["flags"] else set()
            if used - allowed:
                problems.append(f"{label(entry)}: form {form} has unknown placeholders {used - allowed}")
            source = sources[0] if form == 0 else sources[1]
            if "python-format" in entry["flags"] and "msgid_plural" not in entry:
                if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                    problems.append(f"{label(entry)}: placeholders differ in {text!r}")
            for edge in (lambda s: s[: len(s) - len(s.lstrip())], lambda s: s[len(s.rstrip()) :]):
                if edge(source) != edge(text):
                    problems.append(f"{label(entry)}: leading/trailing whitespace differs in {text!r}")
    assert not problems, f"{lang}:\n" + "\n".join(problems)


def test_all_languages_translate_the_same_messages():
    keys = {lang: {(e.get("msgctxt"), e["msgid"]) for e in messages(lang)} for lang in LANGUAGES}
    reference = keys["sq"]
    for lang, lang_keys in keys.items():
        assert lang_keys == reference, (
            f"{lang} differs from sq: missing {sorted(reference - lang_keys)[:10]}, "
            f"extra {sorted(lang_keys - reference)[:10]}"
        )


def test_serbian_latin_is_the_cyrillic_text_transliterated():
    cyrillic = {(e.get("msgctxt"), e["msgid"]): e["msgstr"] for e in messages("sr")}
    mismatches = []
    for entry in messages("sr_Latn"):
        key = (entry.get("msgctxt"), entry["msgid"])
        expected = [to_latin(text) for text in cyrillic.get(key, [])]
        if entry["msgstr"] != expected:
            mismatches.append(f"{label(entry)}: {entry['msgstr']!r} != {expected!r}")
        if any(re.search(r"[\u0400-\u04FF]", text) for text in entry["msgstr"]):
            mismatches.append(f"{label(entry)}: Cyrillic letters in Serbian Latin")
    assert not mismatches, "\n".join(mismatches[:30])


@pytest.mark.parametrize("lang", ["sr", "mk"])
def test_cyrillic_catalogues_are_written_in_cyrillic(lang):
    latin_only = []
    for entry in messages(lang):
        for text in entry["msgstr"]:
            words = PLACEHOLDER.sub("", text)
            if re.search(r"[A-Za-z]{3,}", words) and not re.search(r"[\u0400-\u04FF]", words):
                latin_only.append(text)
    # Only names of formats, fonts and products may stay in Latin letters (HTML, CSS, PDF, Noto Serif…).
    allowed = re.compile(r"^(HTML|CSS|PDF|rehab|%.*%%)$")
    assert [t for t in latin_only if not allowed.match(t)] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_msgfmt_check_format_passes(lang):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt is missing: install gettext (the Makefile lists it)"
    result = subprocess.run(
        [msgfmt, "--check-format", "--check-header", "-o", "/dev/null", str(po_path(lang))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


# --- the rendered pages ------------------------------------------------------------------------------------

EXPECTED_HOME = {
    "sq": {"Log out": "Dil", "Your roles": "Rolet tuaja", "Home": "Kreu"},
    "sr": {"Log out": "Одјава", "Your roles": "Ваше улоге", "Home": "Почетна"},
    "sr-latn": {"Log out": "Odjava", "Your roles": "Vaše uloge", "Home": "Početna"},
    "mk": {"Log out": "Одјава", "Your roles": "Вашите улоги", "Home": "Почетна"},
    "bs": {"Log out": "Odjava", "Your roles": "Vaše uloge", "Home": "Početna"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", EXPECTED_HOME)
def test_switching_language_translates_the_home_page(client, language):
    user = UserFactory()
    client.force_login(user)

    switched = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert switched.status_code == 302
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    for english, translated in EXPECTED_HOME[language].items():
        assert re.search(rf">\s*{re.escape(translated)}\s*<", html), f"{language}: {translated!r} not on the page"
        assert not re.search(rf">\s*{re.escape(english)}\s*<", html), f"{language}: {english!r} left in English"


@pytest.mark.django_db
def test_switching_back_to_english(client):
    client.force_login(UserFactory())
    client.post("/i18n/setlang/", {"language": "sr"})
    client.post("/i18n/setlang/", {"language": "en"})

    html = client.get("/").content.decode()

    assert '<html lang="en">' in html
    assert re.search(r">\s*Log out\s*<", html)
    assert "Одјава" not in html
