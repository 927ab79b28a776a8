"""How the engine tests read a report: one ``run(text)`` per test module, each with the
publication date its sentences are written against."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marsad.contract.claim import Claim, DocumentMeta
from marsad.extract import extract

Run = Callable[..., list[Claim]]


def reader(published: str | None, *, language: str = "en", **options: Any) -> Run:
    """``run(text, published=...)``: the claims of an English report published on the given
    day (another day may be passed per call); ``options`` go to :func:`extract` as they are."""

    def run(text: str, published: str | None = published) -> list[Claim]:
        return extract(text, DocumentMeta(published=published, language=language), **options)

    return run
