"""Store methods for publishing: partner-dataset imports and the names exports must withhold.

Imported rows become claims whose ``provenance`` names the dataset, the row and the SHA-256 of
the file; the file's bytes are kept as an original so custody covers imports as it covers
documents, and each import is one ledger entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.contract import claim as contract
from marsad.contract.incident import visible_levels
from marsad.store import ledger
from marsad.store.db import Lock, lock_transaction
from marsad.store.models import Original, Person, Source
from marsad.store.rows import claim_row, now


@dataclass(frozen=True)
class DatasetRow:
    """One row of a partner dataset turned into a claim."""

    row_number: int  # as a spreadsheet shows it: the header is row 1
    row_id: str  # the dataset's own id for the row (ACLED event_id_cnty, GED id)
    claim: contract.Claim
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. GED's best estimate


@dataclass(frozen=True)
class DatasetImport:
    file_sha256: str
    status: str  # "stored" or "duplicate"
    claim_ids: list[int]
    ledger_seq: int | None


class DatasetStoreMixin:
    """Dataset and publishing methods of :class:`marsad.store.Store`."""

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[Session]: ...

        def reading(self) -> AbstractContextManager[Session]: ...

    def add_dataset_claims(
        self,
        *,
        dataset: str,
        file_name: str,
        content: bytes,
        rows: Sequence[DatasetRow],
        rejected: Sequence[tuple[int, str]] = (),
        actor: str,
        sensitivity: str = "public",
    ) -> DatasetImport:
        """Keep the file as an original and its good rows as claims, in one transaction.

        The same file a second time is a duplicate and adds nothing."""
        if sensitivity not in contract.SENSITIVITY_LEVELS:
            raise ValueError(f"unknown sensitivity {sensitivity!r}")
        digest = ledger.sha256_hex(content)
        with self.transaction() as session:
            # claims before originals, the order every transaction taking both uses
            lock_transaction(session, Lock.CLAIMS, shared=True)
            lock_transaction(session, Lock.ORIGINALS)
            if session.get(Original, digest) is not None:
                return DatasetImport(digest, "duplicate", [], None)
            session.add(Original(sha256=digest, size=len(content), content=content))
            if session.execute(select(Source.id).where(Source.name == dataset)).scalar() is None:
                session.add(Source(name=dataset, kind="dataset", created_at=now()))
            added = []
            for position, item in enumerate(rows):
                row = claim_row(item.claim, position=position, sensitivity=sensitivity)
                row.provenance = {
                    "dataset": dataset,
                    "row_id": item.row_id,
                    "row_number": item.row_number,
                    "file_sha256": digest,
                    "file_name": file_name,
                    **item.extra,
                }
                session.add(row)
                added.append(row)
            session.flush()
            ids = [row.id for row in added]
            entry = ledger.append(
                session,
                actor=actor,
                action="import",
                subject_type="original",
                subject_id=digest,
                payload={
                    "dataset": dataset,
                    "file_name": file_name,
                    "sha256": digest,
                    "size": len(content),
                    "claims": len(ids),
                    "first_claim": ids[0] if ids else None,
                    "last_claim": ids[-1] if ids else None,
                    "rejected_rows": [n for n, _ in rejected],
                    "claims_sha256": ledger.sha256_hex(
                        ledger.canonical_json([r.claim.to_dict() for r in rows])
                    ),
                    "sensitivity": sensitivity,
                },
            )
            return DatasetImport(digest, "stored", ids, entry.seq)

    def withheld_person_names(self, max_sensitivity: str) -> list[str]:
        """Names of persons a reader cleared for ``max_sensitivity`` may not see."""
        levels = visible_levels(max_sensitivity)
        with self.reading() as session:
            return [
                name
                for (name,) in session.execute(
                    select(Person.name).where(Person.sensitivity.not_in(levels))
                )
            ]
