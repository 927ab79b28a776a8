"""The store: the only part of Marsad that speaks SQL.

Everything above it (ingest pipeline, CLI, API, dashboard, exports) calls :class:`Store` methods
and gets plain Python objects back.
"""

from marsad.store.store import AddResult, Store, VerifyReport

__all__ = ["AddResult", "Store", "VerifyReport"]
