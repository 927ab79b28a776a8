"""Properties every claim must have, whatever the text: checked over whole collections.

* every evidence span is the document's own characters (``text[start:end] == span.text``);
* no count has ``low > high``;
* no count's figure is a year ("2014 airstrikes"; a round hundred may be a count), a clock
  time ("at 0914", "09:14") or an age ("a 28-year-old activist"): the number written in the
  count's evidence is looked at, in the document's own characters, with the age words of the
  document's language pack;
* no place's evidence overlaps a person the engine names in the same text (``persons_in``, and
  the claim's own persons): "Omar al-Hasan" is no village.

:func:`violations` returns one line per breach, naming the text; an empty list means the
collection holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from marsad.contract.claim import Claim, Count, Span
from marsad.lang import LanguagePack

_DIGITS = re.compile(r"\d[\d,.:]*")
_YEARS = range(1900, 2101)


@dataclass(frozen=True, slots=True)
class Violation:
    text_id: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.text_id}: {self.rule}: {self.detail}"


def violations(
    items: Iterable[tuple[str, str, list[Claim]]], pack: LanguagePack
) -> list[Violation]:
    """Every breach in ``(text id, text, claims)`` triples."""
    out: list[Violation] = []
    for text_id, text, claims in items:
        for claim in claims:
            out += (Violation(text_id, rule, detail) for rule, detail in _claim(text, claim, pack))
        out += (
            Violation(text_id, "place_in_person", d) for d in _places_in_persons(text, claims, pack)
        )
    return out


def _places_in_persons(text: str, claims: list[Claim], pack: LanguagePack) -> Iterator[str]:
    """A line for each place whose evidence overlaps a person the engine names in ``text``."""
    places = [p for c in claims for p in c.places]
    if not places:
        return
    from marsad.extract import persons_in

    names = [m.evidence for m in persons_in(text, pack=pack)]
    names += [m.evidence for c in claims for m in c.persons]
    for p in places:
        e = p.evidence
        for n in names:
            if e.start < n.end and n.start < e.end:
                yield f"place {e.text!r} ({p.name}) inside person {n.text!r}"
                break


def _claim(text: str, claim: Claim, pack: LanguagePack) -> Iterator[tuple[str, str]]:
    for where, span in _spans(claim):
        if text[span.start : span.end] != span.text:
            yield "span", f"{where} {span.start}:{span.end} is {text[span.start : span.end]!r}"
    for c in claim.counts:
        if c.low is not None and c.high is not None and c.low > c.high:
            yield "low>high", f"{c.category} {c.low}>{c.high} in {c.evidence.text!r}"
        kind = _not_a_count(text, c, pack)
        if kind is not None:
            yield kind, f"{c.category} {c.low}..{c.high} from {c.evidence.text!r}"


def _spans(claim: Claim) -> Iterator[tuple[str, Span]]:
    yield "claim", claim.evidence
    if claim.date_evidence is not None:
        yield "date", claim.date_evidence
    if claim.event_type_evidence is not None:
        yield "event type", claim.event_type_evidence
    for name, refs in (
        ("place", claim.places),
        ("perpetrator", claim.perpetrators),
        ("target", claim.targets),
        ("weapon", claim.weapons),
        ("count", claim.counts),
        ("facility", claim.facilities),
        ("organisation", claim.reported_by),
        ("person", claim.persons),
    ):
        for ref in refs:
            yield name, ref.evidence


def _not_a_count(text: str, c: Count, pack: LanguagePack) -> str | None:
    """ "year", "clock time" or "age" when the count's figure is written as one."""
    values = {v for v in (c.low, c.high) if v is not None}
    for m in _DIGITS.finditer(c.evidence.text):
        written = m.group().rstrip(".,:")
        plain = written.replace(",", "")
        if not plain.isdigit() or int(plain) not in values:
            continue
        # a round hundred ("2000 refugees") is a plausible count, as the engine reads it
        value = int(plain)
        if "," not in written and len(plain) == 4 and value in _YEARS and value % 100:
            return "year"
        if len(plain) >= 3 and plain.startswith("0"):
            return "clock time"
        at = c.evidence.start + m.end()
        if at < len(text) and text[at] == ":" and text[at + 1 : at + 2].isdigit():
            return "clock time"
        if _is_age(text, c.evidence.start + m.start(), at, pack):
            return "age"
    return None


def _is_age(text: str, start: int, end: int, pack: LanguagePack) -> bool:
    """A number right after an age prefix ("aged 28") or before an age suffix ("28-year-old")."""
    g = pack.grammar
    before = text[max(0, start - 12) : start].lower().split()
    if before and before[-1] in g.age_prefixes:
        return True
    after = re.split(r"[\s\-]+", text[end : end + 16].lower().strip(" -"))
    return any(tuple(after[: len(s)]) == s for s in g.age_suffixes if s)
