"""The extraction engine: ``extract(text, meta) -> list[Claim]``.

Pure (no database, no network), deterministic and fast. Everything language-specific comes from
a :class:`~marsad.lang.LanguagePack` (``lang/en`` data files); places come from the gazetteer.
"""

from __future__ import annotations

from functools import lru_cache

from marsad.contract.claim import Claim, DocumentMeta, PersonMention, PlaceRef, Span
from marsad.extract.engine import Engine, PlaceLocator
from marsad.extract.errors import ExtractionError, InvalidTextError, TextTooLargeError
from marsad.lang import LanguagePack, load_language_pack

__all__ = [
    "MAX_TEXT_CHARS",
    "ExtractionError",
    "InvalidTextError",
    "PlaceLocator",
    "TextTooLargeError",
    "engine_for",
    "extract",
    "persons_in",
    "places_in",
]

MAX_TEXT_CHARS = 1_000_000
"""Longer inputs are refused: a report is at most tens of thousands of characters, and a
megabyte of text is a whole archive that should be split into documents first."""

_NO_LOCATOR = object()


@lru_cache(maxsize=8)
def engine_for(pack: LanguagePack) -> Engine:
    """The compiled engine for a language pack (built once)."""
    return Engine(pack)


def _default_locator() -> PlaceLocator:
    # read when first needed: loading the gazetteer is most of the engine's start-up
    from marsad.gazetteer import default_gazetteer

    return default_gazetteer()


def _locator(gazetteer: PlaceLocator | None | object) -> PlaceLocator | None:
    """The locator a caller asked for: the default gazetteer unless told otherwise."""
    if gazetteer is _NO_LOCATOR:
        return _default_locator()
    return gazetteer  # type: ignore[return-value]


def extract(
    text: str,
    meta: DocumentMeta | None = None,
    *,
    gazetteer: PlaceLocator | None | object = _NO_LOCATOR,
    pack: LanguagePack | None = None,
) -> list[Claim]:
    """All claims (incidents and aggregates) that ``text`` makes.

    ``meta.published`` (ISO date) anchors relative dates; without it they resolve to None.
    ``gazetteer`` defaults to :func:`marsad.gazetteer.default_gazetteer`; pass ``None`` to skip
    places, or any object with ``locate(text) -> list[PlaceRef]``. ``pack`` defaults to the pack
    for ``meta.language`` ("en").

    Raises :class:`InvalidTextError` when ``text`` is not a ``str`` and
    :class:`TextTooLargeError` above :data:`MAX_TEXT_CHARS`; both are ``ValueError``s.
    """
    pack = _checked(text, meta, pack)
    return engine_for(pack).extract(text, meta, _locator(gazetteer))


def places_in(
    text: str,
    meta: DocumentMeta | None = None,
    *,
    gazetteer: PlaceLocator | None | object = _NO_LOCATOR,
    pack: LanguagePack | None = None,
) -> list[PlaceRef]:
    """Every place the engine keeps in ``text``, in any sentence, with exact spans: what the
    gazetteer finds, less spans inside a person's, an actor's or an organisation's name and
    page furniture. Claims take their places from these. Raises as :func:`extract` does."""
    pack = _checked(text, meta, pack)
    return engine_for(pack).places_of_text(text, meta, _locator(gazetteer))


def persons_in(
    text: str, meta: DocumentMeta | None = None, *, pack: LanguagePack | None = None
) -> list[PersonMention]:
    """Every person the rules find named in ``text``, near a claim or not, with exact spans.

    Claims carry the persons near them; protection needs every person a document names (one
    named in a sentence with no event still must be masked everywhere). Names found only by a
    loose cue (a kunya alone, "including X") are left to the claims, where places can overrule
    them. Raises as :func:`extract` does."""
    pack = _checked(text, meta, pack)
    return [
        PersonMention(
            p.name, Span(p.char_start, p.char_end, text[p.char_start : p.char_end]), p.role
        )
        for p in engine_for(pack).persons_of_text(text)
        if not p.weak
    ]


def _checked(text: str, meta: DocumentMeta | None, pack: LanguagePack | None) -> LanguagePack:
    if not isinstance(text, str):
        raise InvalidTextError(f"extract() needs str, got {type(text).__name__}")
    if len(text) > MAX_TEXT_CHARS:
        raise TextTooLargeError(
            f"text of {len(text):,} characters exceeds the {MAX_TEXT_CHARS:,} limit; "
            "split it into documents"
        )
    if pack is None:
        pack = load_language_pack(meta.language if meta is not None and meta.language else "en")
    return pack
