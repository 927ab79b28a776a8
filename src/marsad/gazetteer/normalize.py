"""Spelling folds that make the many romanisations of one Arabic place name compare equal.

Why a fold rather than fuzzy matching: reports spell the same town a dozen ways ("Maarat
al-Numan", "Ma'arrat al-Nu'man", "Maaret al-Nouman"), but the differences follow a few regular
patterns (vowel colour, doubled consonants, the article, the feminine ending). Folding each token
to a key that erases exactly those differences keeps lookup an O(1) dict hit, which is what lets
``locate`` scan a megabyte of text quickly, and it never invents a match between names whose
consonants differ.

The steps for a Latin token: strip diacritics and apostrophes (ʿ ’ ' `), lower-case, map an
article ("el", "an", "ez", ...) to "al", fold ``q``->``k``, ``ch``->``sh``, ``dj``->``j``, drop a
final ``h`` after a vowel (ta marbuta: Kansafrah = Kansafra), collapse doubled letters, turn
every vowel run into a single ``a`` (``ou``, ``ei``, ``ay`` and ``aw`` before a consonant
included), drop a final ``t`` after a vowel (construct state: Maarat = Maara), then apply the
canonical token table (``kfar``/``kafar`` -> ``kafr``). Arabic tokens lose diacritics and tatweel,
and hamza-seat, alif maqsura and ta marbuta variants are unified.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).with_name("data")

_APOSTROPHES = "'’‘`ʿʾ´′ʻʼ"
_APOS_RE = re.compile(f"[{_APOSTROPHES}]")
_ARABIC_RE = re.compile(r"[\u0600-\u06FF]")
_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u0640]")
_ARABIC_MAP = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "ک": "ك",
        "ی": "ي",
        "ڤ": "ف",
    }
)
_VOWEL_RUN = re.compile(r"(?:[aeiou]|y(?![aeiou]))+(?:w(?![aeiouy]))?")
_DOUBLES = re.compile(r"(.)\1+")
_SPLIT = re.compile(r"[\s\-‐‑–—_/,.()\[\]]+")


@lru_cache(maxsize=1)
def matching_rules() -> dict[str, Any]:
    """The matching rules data file (``data/matching.yaml``), loaded once."""
    with (DATA_DIR / "matching.yaml").open(encoding="utf-8") as fh:
        rules: dict[str, Any] = yaml.safe_load(fh)
    return rules


@lru_cache(maxsize=1)
def source_rules() -> dict[str, Any]:
    """Where the places come from and how their ids are written (``data/sources.yaml``)."""
    with (DATA_DIR / "sources.yaml").open(encoding="utf-8") as fh:
        rules: dict[str, Any] = yaml.safe_load(fh)
    return rules


@lru_cache(maxsize=1)
def _tables() -> tuple[frozenset[str], dict[str, str]]:
    rules = matching_rules()
    articles = frozenset(str(a).strip("-") for a in rules.get("articles", []))
    canon = {str(k): str(v) for k, v in (rules.get("token_canon") or {}).items()}
    return articles, canon


@lru_cache(maxsize=1)
def article_key() -> str:
    """What every Arabic article of a Latin name folds to (``article_key`` in the data)."""
    return str(matching_rules()["article_key"])


@lru_cache(maxsize=1)
def _spelling() -> tuple[tuple[tuple[str, str], ...], str]:
    """The letter folds and the construct-state ending of the matching rules."""
    rules = matching_rules()
    folds = tuple((str(a), str(b)) for a, b in rules.get("letter_folds", []))
    return folds, str(rules.get("construct_ending", ""))


def is_arabic(token: str) -> bool:
    """True when the token is written in Arabic script."""
    # isascii() is a C-level check far cheaper than a regex search; most tokens are ASCII.
    return not token.isascii() and _ARABIC_RE.search(token) is not None


def strip_accents(s: str) -> str:
    """Remove Latin diacritics (``Ḩ`` -> ``H``) but leave other scripts alone."""
    decomposed = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def plain(token: str) -> str:
    """Lower-case, de-accented, apostrophe-free form of a token (used for stoplists).

    Cached like :func:`fold_token`: the same few thousand words recur in every report."""
    return _APOS_RE.sub("", strip_accents(token)).lower()


@lru_cache(maxsize=200_000)
def fold_token(token: str) -> str:
    """The matching key of one token (see the module docstring for the steps)."""
    if is_arabic(token):
        t = _ARABIC_DIACRITICS.sub("", unicodedata.normalize("NFC", token)).translate(_ARABIC_MAP)
        return t
    articles, canon = _tables()
    t = plain(token)
    if t in articles:
        return article_key()
    folds, construct = _spelling()
    for written, folded in folds:
        t = t.replace(written, folded)
    if len(t) > 3 and t.endswith("h") and t[-2] in "aeiou":
        t = t[:-1]
    t = _DOUBLES.sub(r"\1", t)
    t = _VOWEL_RUN.sub("a", t)
    if construct and len(t) > 3 and t.endswith(construct):
        t = t[:-1]
    return canon.get(t, t)


def split_name(name: str) -> list[str]:
    """Tokens of a place name: hyphens, slashes and spaces separate; apostrophes do not."""
    return [t for t in _SPLIT.split(name) if t]


def normalize_name(name: str) -> str:
    """The matching key of a whole name: folded tokens joined by single spaces.

    "Maarat al-Numan", "Ma'arrat al-Nu'man" and "Maarat Al Nouman" give the same key; Arabic
    "معرة النعمان" gives its own folded key, which the gazetteer indexes for the same place.
    """
    return " ".join(fold_token(t) for t in split_name(name))


def without_article(key: str) -> str:
    """A folded key less its leading articles ("al bab" -> "bab"); a lone article stays."""
    toks = key.split(" ")
    while len(toks) > 1 and toks[0] == article_key():
        toks = toks[1:]
    return " ".join(toks)


@lru_cache(maxsize=1)
def _skeleton_rules() -> tuple[tuple[tuple[str, str], ...], str]:
    rules = matching_rules()
    folds = tuple((str(a), str(b)) for a, b in rules.get("skeleton_folds", []))
    return folds, str(rules.get("skeleton_drop", ""))


@lru_cache(maxsize=200_000)
def skeleton(key: str) -> str:
    """The consonants of a folded name, article and spaces dropped: what two romanisations
    of one name share when they differ in vowels, glides and word breaks ("Latmana" and
    "Al Lataminah", "Kafrsajna" and "Kafr Sajnah"). A coarse key, so the gazetteer only uses it
    to find candidates that are then compared letter by letter."""
    s = without_article(key).replace(" ", "")
    folds, drop = _skeleton_rules()
    for written, folded in folds:
        s = s.replace(written, folded)
    s = s.translate(str.maketrans("", "", drop))
    return _DOUBLES.sub(r"\1", s)
