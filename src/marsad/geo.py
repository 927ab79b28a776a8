"""Distances on the Earth's surface, shared by the gazetteer and the evaluations."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


# At Syria's latitudes a degree of latitude is about 111 km; a degree of longitude that times
# the cosine of the latitude.
_KM_PER_DEGREE = 111.2


def approx_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """A flat-earth distance in kilometres, within a few per cent of :func:`haversine_km` over
    the few hundred kilometres of one country, for ranking candidates in a hot loop."""
    dx = (lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return _KM_PER_DEGREE * math.hypot(lat2 - lat1, dx)
