"""The contract between the rooms of the house: what extraction produces (:mod:`.claim`) and what
resolution produces and every output reads (:mod:`.incident`). Both are plain dataclasses with
no I/O, so any room may import them and none of them imports a room."""
