"""Marsad's gazetteer: Syrian places with every spelling, admin units and P-codes.

``default_gazetteer().locate(text)`` finds place mentions with exact evidence spans; the data is
the packaged ``data/syria.jsonl.gz`` built by ``scripts/build_gazetteer.py`` from OCHA, GeoNames
and UCDP names (attribution in ``NOTICE``). Other regions are added with
:meth:`Gazetteer.add_places`.
"""

from __future__ import annotations

from functools import lru_cache

from marsad.gazetteer.core import (
    DEFAULT_PACK,
    Gazetteer,
    Place,
    load_gazetteer,
    load_pack,
)
from marsad.gazetteer.normalize import fold_token, normalize_name

__all__ = [
    "DEFAULT_PACK",
    "Gazetteer",
    "Place",
    "default_gazetteer",
    "fold_token",
    "load_gazetteer",
    "load_pack",
    "normalize_name",
]


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The packaged Syria gazetteer plus any packs added with ``marsad gazetteer import``,
    loaded once per process."""
    from marsad.gazetteer.geonames_import import installed_packs

    gazetteer = load_gazetteer(DEFAULT_PACK)
    for pack in installed_packs():
        places, _meta = load_pack(pack)
        gazetteer.add_places(places)
    return gazetteer
