"""Incident resolution: one event, many sources, honest ranges, corroboration grades (pure;
the run against the store is :func:`marsad.jobs.resolve.resolve_store`).

* :mod:`marsad.resolve.records` - :class:`ClaimRecord`, the lean form of a claim resolution uses.
* :mod:`marsad.resolve.engine` - :class:`Resolver`, pure clustering of records into incidents.
* :mod:`marsad.resolve.incident` - :func:`build_incident`: figures, independence, grades.

The rules are written out in ``docs/methodology.md``.
"""

from __future__ import annotations

from collections.abc import Iterable

from marsad.contract.incident import IncidentView
from marsad.resolve.engine import Cluster, Resolver
from marsad.resolve.incident import build_incident, independent_groups
from marsad.resolve.records import ClaimRecord, record_from_claim, record_from_stored

__all__ = [
    "ClaimRecord",
    "Cluster",
    "Resolver",
    "build_incident",
    "independent_groups",
    "record_from_claim",
    "record_from_stored",
    "resolve",
]


def resolve(records: Iterable[ClaimRecord]) -> list[IncidentView]:
    """Claims in, incidents out (pure): cluster the incident-scope records and build each
    incident. Aggregate claims must be left out by the caller (they are compared with incidents
    by :mod:`marsad.publish.aggregates`)."""
    resolver = Resolver()
    resolver.add(records)
    return [build_incident(c.members, c.anchor, notes=c.notes) for c in resolver.clusters]
