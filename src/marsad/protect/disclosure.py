"""What one reader may be shown: the single function every output edge passes its data through.

A :class:`Disclosure` is made for one reader's clearance. Its :meth:`~Disclosure.show` masks every
form of every protected name the reader is not cleared for, in any value: text, lists, dicts and
the read model's dataclasses. API serializers, page templates, exporters and brief renderers all
call it last, so a name the extractor missed in one document is still masked in every other.

For public forms (clearance ``public``: exports, briefs, viewers, anonymous readers) free text is
also withheld unless an analyst approved that exact text: :meth:`~Disclosure.free_text` and
:func:`public_incident`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import fields, is_dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from marsad.protect.names import NameMasker

if TYPE_CHECKING:
    from marsad.contract.incident import AggregateView, IncidentView

# review states in which an analyst has looked at the incident and let it stand
REVIEWED_STATES: tuple[str, ...] = ("confirmed", "corrected")
_NO_NAMES = NameMasker(())
# incident fields an analyst can correct to free text: never shown in a public form's corrections
FREE_TEXT_FIELDS = frozenset({"notes", "title", "excerpt", "url"})


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Disclosure:
    """The masker and the approved texts for one reader's clearance."""

    def __init__(
        self,
        masker: NameMasker,
        *,
        public: bool,
        approved: Iterable[str] = (),
    ) -> None:
        self.masker = masker
        self.public = public  # free text needs an analyst's approval
        self.approved = frozenset(approved)

    @property
    def cleared(self) -> bool:
        """Whether the reader sees everything as stored (no name to mask, no text withheld)."""
        return not self.public and not self.masker

    def __call__(self, text: str | None) -> str:
        """A text with protected names masked ('' for None)."""
        return self.masker.mask(text)

    def show(self, value: Any) -> Any:
        """``value`` with every protected name masked, whatever its shape."""
        if not self.masker:
            return value
        return _masked(value, self.masker)

    def free_text(self, text: str | None) -> str:
        """Free text as this reader may see it: in public forms only approved text, and then
        with protected names masked all the same (the check runs again at every output)."""
        if not text:
            return ""
        if self.public and text_sha256(text) not in self.approved:
            return ""
        return self.masker.mask(text)

    def optional_text(self, text: str | None) -> str | None:
        shown = self.free_text(text)
        return shown or None


NO_DISCLOSURE_LIMITS = Disclosure(_NO_NAMES, public=False)


def _masked(value: Any, masker: NameMasker) -> Any:
    kind = type(value)
    if kind is str:
        return masker.mask(value)
    if kind is dict:
        return {k: _masked(v, masker) for k, v in value.items()}
    if kind is list:
        return [_masked(v, masker) for v in value]
    if value is None or kind in _LEAVES:
        return value
    if isinstance(value, Markup):
        # highlighted passages are built from already masked text; mask again all the same,
        # then keep the markup (the masker only replaces letters with blocks)
        return Markup(masker.mask(str(value)))
    if isinstance(value, str):
        return masker.mask(value)
    if isinstance(value, list | tuple):
        items = [_masked(v, masker) for v in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {k: _masked(v, masker) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _masked(getattr(value, f.name), masker) for f in fields(value)}
        return replace(value, **changes)
    return value


# values that hold no text: returned as they are without further checks
_LEAVES = frozenset({int, float, bool, date, datetime})


def first_span(text: str, name: str) -> tuple[int, int] | None:
    """Where ``name`` (in any of its masked forms) first appears in ``text``, if it does."""
    spans = NameMasker([name]).spans(text)
    return spans[0] if spans else None


# -- public forms -------------------------------------------------------------------------


def free_texts(view: IncidentView) -> list[str]:
    """Every free text of an incident whose approval decides what a public form shows."""
    out = [view.notes]
    for s in view.sources:
        out += [s.title or "", s.excerpt, s.url or ""]
    return [t for t in out if t]


def _source_changes(source: dict[str, Any], d: Disclosure) -> dict[str, Any]:
    """A source as a public form shows it: organisation, date and kind; free text only when
    approved. The document id stays out: it leads to text a public reader cannot see."""
    return {
        "document_id": None,
        "source": d(source.get("source")) or None,
        "dataset": d(source.get("dataset")) or None,
        "title": d.optional_text(source.get("title")),
        "url": d.optional_text(source.get("url")),
        "excerpt": d.free_text(source.get("excerpt")),
    }


def _public_values(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each source's reading of a figure, without the passage or the document it points at."""
    return [
        {k: v for k, v in value.items() if k not in ("document_id", "excerpt")} for value in values
    ]


def _public_corrections(corrections: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Corrected structured values (without who made them or why); free-text fields left out."""
    return {
        field: {k: v for k, v in c.items() if k in ("machine", "value")}
        for field, c in corrections.items()
        if field not in FREE_TEXT_FIELDS
    }


def public_incident(view: IncidentView, d: Disclosure) -> IncidentView:
    """The incident built from structured fields (type, date, place, actors, figures, grade,
    sources' organisations), with free text only where approved, and every name masked."""
    out = replace(
        view,
        notes=d.free_text(view.notes),
        sources=[replace(s, **_source_changes(vars(s), d)) for s in view.sources],
        corrections=_public_corrections(view.corrections),
        figures={
            name: replace(f, values=_public_values(f.values)) for name, f in view.figures.items()
        },
    )
    shown: IncidentView = d.show(out)
    return shown


def public_incident_data(item: dict[str, Any], d: Disclosure) -> dict[str, Any]:
    """:func:`public_incident` for the plain JSON form of an incident."""
    out = {
        **item,
        "notes": d.free_text(item.get("notes")),
        "sources": [{**s, **_source_changes(s, d)} for s in item.get("sources") or []],
        "corrections": _public_corrections(item.get("corrections") or {}),
        "figures": {
            name: {**f, "values": _public_values(f.get("values") or [])}
            for name, f in (item.get("figures") or {}).items()
        },
    }
    shown: dict[str, Any] = d.show(out)
    return shown


def incident_as_shown(view: IncidentView, d: Disclosure) -> IncidentView:
    """The incident for this reader: its public form, or with names masked, or as stored."""
    if d.public:
        return public_incident(view, d)
    shown: IncidentView = d.show(view)
    return shown


def public_aggregate(agg: AggregateView, d: Disclosure) -> AggregateView:
    shown: AggregateView = d.show(replace(agg, document_id=None, excerpt=d.free_text(agg.excerpt)))
    return shown
