"""What ingest hands the store for one document: the exact original bytes and what was read
from them. Every reader of a format builds one; the store keeps it as it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class NewDocument:
    """One document ready for the store. ``original_name`` is the file, or ``file#part`` for a
    part read out of a container (an attachment, a chat message)."""

    original: bytes
    original_name: str
    text: str
    media_type: str = "application/octet-stream"
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    language: str = "und"
    sensitivity: str = "internal"
    extra: dict[str, Any] = field(default_factory=dict)
    # persons the format itself names (a chat message's sender): stored as protected persons
    protected_names: tuple[str, ...] = ()
