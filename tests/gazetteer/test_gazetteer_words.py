"""``Gazetteer.locate(text, words=...)``: the engine's word offsets give the same result.

The engine (``marsad.extract.text.tokenize``) and the gazetteer split words by slightly different
rules (apostrophes, "U.S.", numeric characters such as "²"); ``locate`` must detect every text
where that could matter and give byte-identical results with or without ``words``.
"""

from __future__ import annotations

import random
from itertools import compress, repeat
from operator import eq

import pytest

from marsad.extract.text import WORD, tokenize
from marsad.gazetteer import Gazetteer, default_gazetteer
from marsad.gazetteer.core import _from_words


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def engine_words(text: str) -> tuple[list[int], list[int]]:
    """The (starts, ends) of the engine's WORD tokens, as the extraction engine passes them."""
    tokens = tokenize(text)
    is_word = list(map(eq, tokens.kinds, repeat(WORD)))
    return list(compress(tokens.starts, is_word)), list(compress(tokens.ends, is_word))


TEXTS = [
    "",
    "   ",
    "12 345 -- 2023-10-05",
    "Airstrikes hit Maarat al-Numan and Saraqib in southern Idlib province on Monday.",
    "Shelling of the western countryside of Aleppo killed 3 civilians near Atarib.",
    "Idlib's southern countryside, Hama's northern countryside and Daraa’s western rural areas.",
    "IDLIB'S CITIZENS; Idlib'S people; Homs’S market; Aleppo’s; 's; ’s alone; A's; As's",
    "Ma'arrat al-Nu'man, Ma’arrat al-Nu’man, Ma‘arrat al-Nu‘man, Ma`arrat al-Nu`man",
    "Maʿarrat al-Nuʿman and Maʾarrat in Jisr al-Shughur",
    "the U.S. envoy met the U.N. team and U.S.A. officials; u.n.h.c.r. said; U.S.Army; e.g. Homs",
    "A.B. Idlib, a.b.c. Hama, X.Y.z Aleppo, Q. Daraa, U.S.-backed SDF in Raqqa",
    "al-Bab, Al-Bab, al-Assad, Al Rai, el-Bab, Tal Rifaat-Azaz road, north-western Hama",
    "Deir ez-Zor city and rural Damascus; the city of Homs; outskirts of Daraa",
    "Hama Media Center reported; Aleppo Today said; Idlib Military Council",
    "3km east of Homs, Homs3, 2Idlib, Idlib2023, Aleppo_city, Hama/Homs (Qusayr)",
    "km² of Idlib, ²Idlib, Idlib², ½Homs, Ⅻ Hama, ⅻAleppo, ①Daraa, 𐄇Raqqa",
    "l’Élysée, d’Alep, l'Ḩamā, ab'cé Idlib, Ḩamā's outskirts, Kafr Nabl",
    "Kelvin \u212a.S. Idlib, \u212aafr Nabl, İdlib, İDLİB city, ΣΊΣΥΦΟΣ in Homs",
    "قصف الطيران الحربي مدينة إدلب وريف حلب الغربي وبلدة سراقب",
    "Airstrikes on Idlib (إدلب) and وحلب, Saraqib سراقب; مَعَرَّة النعمان",
    "Idlib" + "x" * 70 + " Homs " + "a" * 61 + "'s Hama " + "b" * 60 + "'s Daraa",
    "Idlib-" * 30,
    "“Idlib” — ‘Homs’ — «Hama» … Aleppo • Daraa · Raqqa\u00a0province",
    "don't can't Idlib’ ’Homs ''Hama'' ’’Aleppo’’ O'Brien’s Aleppo",
]


@pytest.mark.parametrize("text", TEXTS)
def test_words_give_the_same_places(gaz: Gazetteer, text: str) -> None:
    assert gaz.locate(text, words=engine_words(text)) == gaz.locate(text)


@pytest.mark.parametrize("text", TEXTS)
def test_tokens_from_words_are_the_gazetteers_own(gaz: Gazetteer, text: str) -> None:
    tokens = _from_words(text, engine_words(text))
    if tokens is not None:  # None: the text is split again, which is the same by definition
        assert tokens == gaz._tokenize(text)


def test_variants_of_the_texts(gaz: Gazetteer) -> None:
    for text in TEXTS:
        for variant in (text.lower(), text.upper(), text.title(), text.swapcase()):
            assert gaz.locate(variant, words=engine_words(variant)) == gaz.locate(variant)


def test_common_texts_take_the_fast_path(gaz: Gazetteer) -> None:
    # Not a correctness matter, but the point of ``words``: ordinary English reports (curly
    # apostrophes, dashes, "U.S.", possessives) must not fall back to re-splitting.
    for text in TEXTS[3:7] + TEXTS[9:11] + TEXTS[-2:-1]:
        assert _from_words(text, engine_words(text)) is not None, text
    assert _from_words(TEXTS[18], engine_words(TEXTS[18])) is not None  # Arabic


_PIECES = [
    *"abcsSUNKxyzAB",
    *"'’‘`ʿʾ.  -_3²½\n",
    *"\u212aİéÉßالΣςﬁŉⅫⅻ٣\u064b",
    "'s",
    "’s",
    "U.S.",
    "u.n.",
    " Idlib",
    " Homs ",
    "al-",
]


def test_random_texts(gaz: Gazetteer) -> None:
    """Random strings over the characters where the two tokenizers could part ways."""
    rng = random.Random(5)
    fast = 0
    for _ in range(3000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 30)))
        if rng.random() < 0.5:
            text = "".join(c for c in text if c.isascii() or c == "’")
        words = engine_words(text)
        tokens = _from_words(text, words)
        if tokens is not None:
            fast += 1
            assert tokens == gaz._tokenize(text), text
        assert gaz.locate(text, words=words) == gaz.locate(text), text
    assert fast > 1000
