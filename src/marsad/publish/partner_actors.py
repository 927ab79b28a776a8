"""Partner datasets' actor names as Marsad's actors, and Marsad's actors as partners name them.

The table is data (``publish/data/partners/actors.yaml``); this module only reads it. A name
that maps to a Marsad actor becomes that actor's id, display name and type, so a partner row
and Marsad's own claims about one strike name the same perpetrator and resolution sees no
dispute where there is none. A name that maps to nothing stays the dataset's own actor.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from marsad.contract.claim import ActorRef, Span
from marsad.lang import KnownActor, load_language_pack

TABLE = "actors.yaml"
_ERA = re.compile(r"\s*\(\s*\d{4}\s*-\s*(\d{4})?\s*\)\s*$")
_BRACKET = re.compile(r"\s*\([^()]*\)\s*$")
_NOT_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class Known:
    """A Marsad actor: id, display name and type as the language pack defines them."""

    id: str
    name: str
    type: str


# What a partner's name resolves to: a Marsad actor, or NOBODY (the name says the author is
# unknown), or None (not in the table: the dataset's own actor).
NOBODY = Known("", "", "unknown")


def fold(name: str) -> str:
    """Case-folded words joined by single spaces ("HTS: Hayat Tahrir al-Sham" ->
    "hts hayat tahrir al sham")."""
    return " ".join(_NOT_WORD.sub(" ", name.casefold().replace("'", "")).split())


def read_table(name: str) -> dict[str, Any]:
    """One YAML table of ``publish/data/partners``."""
    text = resources.files("marsad.publish").joinpath("data", "partners", name).read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping at the top")
    return data


@dataclass(frozen=True)
class ActorTable:
    known: dict[str, Known]  # Marsad actor id -> actor
    names: dict[str, str]  # folded partner name -> Marsad actor id ("" for nobody)
    patterns: tuple[re.Pattern[str], ...]
    states: dict[str, str]  # folded country -> Marsad actor id
    own: frozenset[str]  # folded names that stay the dataset's own actor
    aliases: dict[str, str]  # folded English alias -> Marsad actor id
    export: dict[str, dict[str, str]]  # dataset -> Marsad actor id -> name
    # a dataset names the same few actors on every row
    _seen: dict[str, Known | None] = field(default_factory=dict, compare=False, repr=False)

    def lookup(self, name: str) -> Known | None:
        """The Marsad actor a partner's name means, :data:`NOBODY`, or None."""
        if name not in self._seen:
            self._seen[name] = self._lookup(name)
        return self._seen[name]

    def _lookup(self, name: str) -> Known | None:
        whole = fold(name)
        if not whole or whole in self.own:
            return None
        for key in self._keys(name):
            if key in self.names:
                return self._known(self.names[key])
            state = self._state(key)
            if state is not None:
                return self._known(state)
        for key in self._keys(name):
            if key in self.aliases:
                return self._known(self.aliases[key])
        return None

    def _keys(self, name: str) -> list[str]:
        text = name.strip()
        keys = [fold(text), fold(_ERA.sub("", text))]
        while _BRACKET.search(text):
            text = _BRACKET.sub("", text)
            keys.append(fold(text))
        return [k for k in dict.fromkeys(keys) if k]

    def _state(self, key: str) -> str | None:
        for pattern in self.patterns:
            m = pattern.fullmatch(key)
            if m is not None:
                return self.states.get(m.group("country"))
        return None

    def _known(self, actor_id: str) -> Known:
        return NOBODY if not actor_id else self.known[actor_id]

    def export_name(self, dataset: str, actor_id: str, default: str) -> str:
        """How ``dataset`` ("acled", "ucdp") names a Marsad actor; ``default`` if the table
        does not say."""
        return self.export.get(dataset, {}).get(actor_id, default)


def _pattern(template: str) -> re.Pattern[str]:
    if "{country}" not in template:
        raise ValueError(f"{TABLE}: state pattern {template!r} has no {{country}}")
    before, after = (fold(part) for part in template.split("{country}", 1))
    body = r"(?:the )?(?P<country>.+?)"
    return re.compile(" ".join(p for p in (re.escape(before), body, re.escape(after)) if p))


def build_table(data: dict[str, Any], actors: Sequence[KnownActor]) -> ActorTable:
    """The table from its YAML data and the language pack's actors."""
    known = {a.id: Known(a.id, a.name, a.type) for a in actors}
    aliases: dict[str, str] = {}
    for actor in actors:  # the pack's first actor wins an alias two share
        for alias in (actor.name, *actor.aliases):
            aliases.setdefault(fold(alias), actor.id)
    names: dict[str, str] = {}
    export: dict[str, dict[str, str]] = {}
    for actor_id, entry in (data.get("actors") or {}).items():
        if actor_id not in known:
            raise ValueError(f"{TABLE}: {actor_id!r} is not an actor of lang/en/actors.yaml")
        for partner_name in entry.get("names") or ():
            names[fold(str(partner_name))] = actor_id
        for dataset, exported in (entry.get("export") or {}).items():
            export.setdefault(str(dataset), {})[actor_id] = str(exported)
    for partner_name in data.get("unattributed") or ():
        names[fold(str(partner_name))] = ""
    states = {fold(str(k)): str(v) for k, v in (data.get("states") or {}).items()}
    unknown = sorted(set(states.values()) - set(known))
    if unknown:
        raise ValueError(f"{TABLE}: states name unknown actors {unknown}")
    return ActorTable(
        known=known,
        names=names,
        patterns=tuple(_pattern(str(t)) for t in data.get("state_patterns") or ()),
        states=states,
        own=frozenset(fold(str(n)) for n in data.get("own_actor") or ()),
        aliases=aliases,
        export=export,
    )


@lru_cache(maxsize=1)
def actor_table() -> ActorTable:
    """The packaged table, read once per process."""
    return build_table(read_table(TABLE), load_language_pack("en").actors)


# Who is acted on rather than acting; every other type (state forces, armed groups, an actor
# whose type is unknown) can be a perpetrator.
UNARMED_TYPES = frozenset({"civilians", "protesters", "rescue_workers", "journalists", "activists"})


def slug(name: str) -> str:
    """A stable id for a dataset's own actor name: ``military_forces_of_iran_1989``."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def partner_actor(name: str, fallback_type: str, evidence: Span) -> ActorRef | None:
    """A partner's actor name as an actor reference: the Marsad actor it means, else the
    dataset's own actor of ``fallback_type``; None when the name names nobody."""
    text = name.strip()
    if not text:
        return None
    known = actor_table().lookup(text)
    if known is NOBODY:
        return None
    if known is None:
        return ActorRef(slug(text), text, fallback_type, evidence)
    return ActorRef(known.id, known.name, known.type, evidence)


def split_sides(
    side1: Sequence[ActorRef], side2: Sequence[ActorRef]
) -> tuple[list[ActorRef], list[ActorRef]]:
    """Perpetrators and targets from a row's two sides, as Marsad's claims hold them: the
    armed actors of the first side act (or those of the second when the first has none, as
    when protesters are actor 1 and the police actor 2); everyone else is a target."""
    armed1 = [a for a in side1 if a.type not in UNARMED_TYPES]
    perpetrators = armed1 or [a for a in side2 if a.type not in UNARMED_TYPES]
    chosen = {id(a) for a in perpetrators}
    targets = [a for a in (*side2, *side1) if id(a) not in chosen]
    return _unique(perpetrators), _unique(targets)


def _unique(actors: Sequence[ActorRef]) -> list[ActorRef]:
    seen: set[str] = set()
    out = []
    for a in actors:
        if a.id not in seen:
            seen.add(a.id)
            out.append(a)
    return out
