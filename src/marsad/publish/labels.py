"""Vocabulary codes and counted figures in the reader's language, for the dashboard and briefs.

The words are data in ``marsad/web/i18n/<lang>.json`` (keys ``event_type.air_strike``,
``grade.weak``, ``qualified.at_least`` ...), read from the package's files without importing
the web application, so a brief built from the command line loads no web framework.

Numbers keep Western digits (0-9) in every language: the same figure then reads identically in
the brief, the exports, the API and the source passage it was read from, and searches and copies
of it match. Arabic counted nouns follow the number (3-10 plural, 11-99 singular accusative,
whole hundreds singular), which is why a noun has up to three forms in the Arabic file.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from marsad.contract.claim import stated_number

if TYPE_CHECKING:
    from marsad.contract.incident import IncidentView

LANGS: tuple[str, ...] = ("en", "ar")
# the kinds of vocabulary code the i18n files name, as the key's prefix
KINDS: tuple[str, ...] = (
    "event_type",
    "weapon",
    "facility",
    "grade",
    "precision",
    "category",
    "group",
    "qualifier",
    "sensitivity",
    "review_status",
    "role",
)


@lru_cache(maxsize=len(LANGS))
def table(lang: str) -> dict[str, str]:
    """Every word of ``lang``: the page frame's and the vocabulary's."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    path = resources.files("marsad").joinpath("web", "i18n", f"{lang}.json")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _word(key: str, lang: str) -> str | None:
    found = table(lang).get(key) if lang in LANGS else None
    return found if found is not None else table("en").get(key)


def label(kind: str, code: str | None, lang: str) -> str:
    """The vocabulary ``code`` of ``kind`` (``"event_type"``, ``"grade"`` ...) in ``lang``; a code
    no file names is shown as its words ("new_kind" -> "new kind")."""
    if not code:
        return ""
    found = _word(f"{kind}.{code}", lang)
    return found if found is not None else code.replace("_", " ")


def figure_label(name: str, lang: str) -> str:
    """A figure's name ("killed", "killed_children") in ``lang``: "القتلى (أطفال)"."""
    if _word(f"category.{name}", lang) is not None:
        return label("category", name, lang)
    category, _, group = name.partition("_")
    if group and _word(f"category.{category}", lang) and _word(f"group.{group}", lang):
        return f"{label('category', category, lang)} ({label('group', group, lang)})"
    return name.replace("_", " ")


def noun_form(n: int) -> str:
    """Which Arabic form a counted noun takes after ``n``."""
    rest = n % 100
    if 3 <= rest <= 10:
        return "few"
    if 11 <= rest <= 99 or n == 0:
        return "many"
    return "one" if n == 1 or n >= 100 else "few"


def _noun(key: str, n: int, lang: str) -> str:
    found = _word(f"noun.{key}.{noun_form(n)}", lang) if lang != "en" else None
    if found is None:
        found = _word(f"noun.{key}", lang) if lang == "en" else None
    return found if found is not None else ""


def count_words(count: dict[str, Any], lang: str = "en") -> str:
    """A source's own figure as it said it: "over 60 civilians killed", "قتل أكثر من 60 مدنياً"."""
    qualifier, numbers = stated_number(count)
    values: dict[str, Any] = dict(numbers)
    category = str(count.get("category") or "")
    group = str(count.get("group") or "all")
    # people are counted by their group; strikes, places and facilities by their own noun
    noun_key = category if _word(f"noun.{category}.few", "ar") and group == "all" else group
    last = values.get("high", values.get("n"))
    values["noun"] = _noun(noun_key, int(last) if isinstance(last, int) else 0, lang)
    pattern = _word(f"qualified.{qualifier}", lang) or "{n} {noun}"
    phrase = pattern.format(**values)
    sentence = _word(f"count.{category}", lang) or "{count} " + category.replace("_", " ")
    return " ".join(sentence.format(count=phrase).split())


def place_name(view: IncidentView, lang: str) -> str:
    """The incident's place as a reader of ``lang`` writes it (the gazetteer's Arabic name)."""
    from marsad.publish.place_names import name_in_script

    pcodes = {
        "admin1": view.admin1_pcode,
        "admin2": view.admin2_pcode,
        "admin3": view.admin3_pcode,
    }
    found = name_in_script(view.place_name, lang, pcodes=pcodes, lat=view.lat, lon=view.lon)
    return found or ""


def admin1_name(view: IncidentView, lang: str) -> str:
    """The incident's governorate as a reader of ``lang`` writes it."""
    from marsad.publish.place_names import admin_name_in_script

    return admin_name_in_script(view.admin1, view.admin1_pcode, lang) or ""
