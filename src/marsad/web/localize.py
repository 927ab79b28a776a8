"""What the pages show in the reader's language: vocabulary labels and place names.

The words come from :mod:`marsad.publish.labels` (the same look-up the brief uses) and the
Arabic place names from :mod:`marsad.publish.place_names`. Every helper a template calls hands its
text through the page's ``show`` (the reader's name masker) before it is printed, so a name
found in the gazetteer is masked exactly as a stored one would be.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marsad.publish.labels import admin1_name, count_words, figure_label, label, place_name
from marsad.publish.place_names import admin_name_in_script


def area_name(key: str | None, name: str | None, lang: str) -> str:
    """A count row's area (a governorate P-code and its stored name)."""
    return admin_name_in_script(name, key, lang) or ""


def source_value(value: dict[str, Any], lang: str) -> str:
    """One source's reading of a figure, qualifier included ("at least 5", "5 على الأقل")."""
    low, high = value.get("low"), value.get("high")
    qualifier = value.get("qualifier") or "exact"
    if low is None and high is None:
        return "—"
    words = count_words({"category": "", "low": low, "high": high, "qualifier": qualifier}, lang)
    return words.replace("-", "–")


def helpers(lang: str, show: Callable[[Any], Any]) -> dict[str, Callable[..., str]]:
    """The template functions of a page in ``lang``; ``show`` masks what they return."""

    def masked(text: str) -> str:
        return str(show(text))

    return {
        "term": lambda kind, code: label(kind, code, lang),
        "figure_name": lambda name: figure_label(name, lang),
        "place": lambda view: masked(place_name(view, lang)),
        "admin1": lambda view: masked(admin1_name(view, lang)),
        "area": lambda key, name: masked(area_name(key, name, lang)),
        "source_value": lambda value: masked(source_value(value, lang)),
    }
