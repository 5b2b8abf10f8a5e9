import pytest

from inmates.text import spellings, to_latin, to_macedonian_cyrillic, to_serbian_cyrillic


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("petrović", "петровић"),
        ("ljubica", "љубица"),
        ("njegoš", "његош"),
        ("džemal", "џемал"),
        ("đorđe", "ђорђе"),
        ("čačak", "чачак"),
        ("žarko", "жарко"),
    ],
)
def test_serbian_latin_and_cyrillic_round_trip(latin, cyrillic):
    assert to_serbian_cyrillic(latin) == cyrillic
    assert to_latin(cyrillic) == latin


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [("gjorgji", "ѓорѓи"), ("kjiro", "ќиро"), ("dzvezda", "ѕвезда"), ("ǵorǵi", "ѓорѓи")],
)
def test_macedonian_letters(latin, cyrillic):
    assert to_macedonian_cyrillic(latin) == cyrillic


def test_cyrillic_macedonian_letters_in_latin():
    assert to_latin("Ѓорѓи Ќосе Ѕвонко") == "gjorgji kjose dzvonko"


def test_spellings_of_a_term_in_each_script_without_repeats():
    assert spellings("Petrović") == ["Petrović", "петровић"]
    assert spellings("Петровић") == ["Петровић", "petrović"]
    assert spellings("Gjorgji") == ["Gjorgji", "гјоргји", "ѓорѓи"]
    assert spellings("KCS-0001") == ["KCS-0001", "кцс-0001"]
    assert spellings("  ") == []
