"""Places, name resolution and in-text place finding (``locate``).

How ``locate`` works, and why:

* The text is split into word tokens with exact offsets; each token is folded once
  (:func:`~marsad.gazetteer.normalize.fold_token`, cached). Every place name is indexed under the
  space-joined folds of its tokens, so one dict lookup tests an n-gram; only tokens that open some
  name are tried, longest first (5 tokens down to 1). This keeps a megabyte of text to a second or
  so on one core.
* Precision over recall: a Latin mention must open with a capital letter (``al``/``el`` excepted);
  one-word names that are English words or given names (``data/matching.yaml: stop_single``) are
  never matched alone; tokens of one mention may be joined only by spaces or hyphens.
* Words around the name set the meaning: "Idlib province" or "Idlib governorate" is the
  governorate; "southern Idlib", "rural Aleppo", "Hama countryside" are regions of a governorate
  (precision ``region``); "X district" / "X sub-district" pick the admin2 / admin3 unit; "Idlib
  city" or "the city of Idlib" the city; "near X" / "outskirts of X" give ``near``.
* A bare governorate name means the governorate for the P-codes listed in the pack's meta
  (``bare_name_means_governorate``: Idlib, Daraa, Deir ez-Zor, Quneitra, Rural Damascus) and the
  city of that name otherwise (Aleppo, Homs, Hama, Raqqa, ...). A place that is both a town and the
  sub-district named after it is the town (``exact``).
* Names that invent nothing: a place abroad (``foreign_names``: "Saudi Arabia", "Erbil") is
  passed over, and so is a name right before "in northern Iraq"; a name followed by an
  organisation word ("Idlib Health Directorate", "the Bitar family"), by the article and a
  further word ("Sahl al-Ghab", a name the gazetteer does not know), or a one-word village
  followed by another capitalised word ("Masud Berkel") names no place. A name whose key is also
  an English word, given name or country (``context_keys``, marked at build time) is *risky*:
  kept after a place word ("the village of X", "near X"), or beside a place that may lie in the
  same governorate, and dropped otherwise ("The Deal", "Death Toll", "Omar al-Hasan").
* Spellings that differ in vowels and word breaks: after a place cue ("shelled Latamneh") a
  capitalised name that no spelling folds like is looked up by its consonants
  (:func:`~marsad.gazetteer.normalize.skeleton`) and kept when spelled within 80% of a place's
  name. Qualifiers are indexed in both languages ("Big Orm" = "Orm al-Kubra").
* When a name belongs to several places (many villages share names) the one in a governorate
  named or otherwise implied nearby wins, then one in a governorate mentioned elsewhere in the
  text, then the one nearest the text's other settlements, then the one spelled as written, then
  the bigger (town over village, larger population, more sources). Each place says why
  (``PlaceRef.reason``, codes of ``marsad.contract.claim.PLACE_REASONS``) and how sure
  (``confidence``).
"""

from __future__ import annotations

import gzip
import json
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import accumulate, compress, repeat
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, Literal, cast

from rapidfuzz import fuzz

from marsad.contract.claim import PlaceRef, Span
from marsad.gazetteer.normalize import (
    DATA_DIR,
    article_key,
    fold_token,
    is_arabic,
    matching_rules,
    normalize_name,
    plain,
    skeleton,
    source_rules,
    split_name,
    without_article,
)
from marsad.geo import approx_km

# The kinds of place a gazetteer holds: administrative units by level, then settlements.
PlaceKind = Literal["admin1", "admin2", "admin3", "city", "town", "village", "neighbourhood"]
# What the words around a mention say it names (see ``_with_context``).
MentionContext = Literal[
    "governorate", "region", "district", "subdistrict", "city", "near", "neighbourhood"
]

DEFAULT_PACK = DATA_DIR / "syria.jsonl.gz"
MAX_NGRAM = 5
SETTLEMENT_KINDS: tuple[PlaceKind, ...] = ("city", "town", "village", "neighbourhood")
_KIND_RANK = {"city": 6, "town": 5, "village": 4, "neighbourhood": 3, "admin3": 2, "admin2": 1}
_PRECISION_BY_KIND = {"admin1": "governorate", "admin2": "district", "admin3": "subdistrict"}
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’‘`ʿʾ][^\W\d_]+)*")
# One capturing group: split() gives [gap, token, gap, token, ..., gap] without Python per token.
_SPLIT_RE = re.compile("(" + _TOKEN_RE.pattern + ")")
_POSSESSIVES = tuple(str(p) for p in matching_rules().get("possessive_suffixes", []))
# "'s", "'S", "’s", "’S": each ending as written and in capitals (no case folding, which would
# also take the long s "ſ")
_POSSESSIVE_RE = re.compile(
    "|".join(re.escape(v) for p in _POSSESSIVES for v in dict.fromkeys((p, p.upper()))) or "(?!)"
)
_MAX_TOKEN = 60  # no place name is this long; longer tokens are dropped to keep noise cheap
# Between a given name and a surname: a space, a line break or a zero-width space ("Adnan\nZakkour")
_NAME_GAP = re.compile(r"[ \t\u00a0\u200b\-]{0,2}\n?[ \t\u00a0\u200b\-]{0,2}")
_JOIN_GAP = re.compile(r"[ \t\u00a0\-‐‑–]{1,3}")
_CONTEXT_GAP = re.compile(
    r"[ \t\u00a0\-‐‑–]{1,3}" + "".join(rf"|{re.escape(p)}\s{{1,2}}" for p in _POSSESSIVES)
)
# The characters of _JOIN_GAP: a gap of one character matches _JOIN_GAP, and _CONTEXT_GAP,
# exactly when it is one of these (tested without a regex call on the hot paths).
_GAP_CHARS = " \t\u00a0-‐‑–"
_NEARBY_CHARS = 300
_KIND = attrgetter("kind")
_SINGLE_CACHE = 100_000  # entries of Gazetteer._single before it is emptied
_UNKNOWN: Any = object()  # not in a cache (None is a cached answer)


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry. ``id`` is stable across rebuilds ("ocha:SY07", "gn:168661")."""

    id: str
    name: str
    names: tuple[str, ...]
    kind: PlaceKind
    lat: float | None = None
    lon: float | None = None
    admin1: str | None = None
    admin1_pcode: str | None = None
    admin2: str | None = None
    admin2_pcode: str | None = None
    admin3: str | None = None
    admin3_pcode: str | None = None
    # the OCHA community (admin4) the place is, with its C-code p-code ("C1353")
    admin4: str | None = None
    admin4_pcode: str | None = None
    population: int | None = None
    sources: tuple[str, ...] = field(default=())
    # where each of ``names`` came from ("ocha", "geonames+ucdp"), in the same order
    name_origins: tuple[str, ...] = field(default=())

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Place:
        names = tuple(str(n) for n in d.get("names") or ())
        origins = tuple(str(o) for o in d.get("origins") or ())
        name = str(d["name"])
        if name not in names:
            names, origins = (name, *names), (origins[0], *origins) if origins else ()
        return cls(
            id=str(d["id"]),
            name=name,
            names=names,
            kind=cast(PlaceKind, str(d["kind"])),
            lat=_opt_float(d.get("lat")),
            lon=_opt_float(d.get("lon")),
            admin1=d.get("admin1"),
            admin1_pcode=d.get("admin1_pcode"),
            admin2=d.get("admin2"),
            admin2_pcode=d.get("admin2_pcode"),
            admin3=d.get("admin3"),
            admin3_pcode=d.get("admin3_pcode"),
            admin4=d.get("admin4"),
            admin4_pcode=d.get("admin4_pcode"),
            population=int(d["population"]) if d.get("population") else None,
            sources=tuple(d.get("sources") or ()),
            name_origins=origins if len(origins) == len(names) else (),
        )


def _opt_float(v: Any) -> float | None:
    return None if v is None or v == "" else float(v)


@dataclass(slots=True)
class _Tokens:
    """The word tokens of one text as parallel lists (index ``i`` is the i-th token).

    Parallel lists rather than one object per token: building them is a handful of C-level
    passes (split, map), which matters because ``locate`` sees every word of every document
    while only a few of them start a place name.
    """

    starts: list[int]
    ends: list[int]
    surfaces: list[str]
    keys: list[str]  # fold_token(surface)
    # Lower-cased surfaces are not stored: only the few words around a mention are lowered.

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def lowers(self) -> list[str]:
        """The lower-cased surfaces (built on demand; ``locate`` lowers single words)."""
        return list(map(str.lower, self.surfaces))


@dataclass(slots=True)
class _Mention:
    start: int  # of the name itself
    end: int
    span_start: int  # including context words ("southern", "province")
    span_end: int
    candidates: list[Place]
    context: MentionContext | None
    # the name is also a common word, a given name or a country (``Gazetteer.context_keys``)
    risky: bool = False
    # found by its consonants, not by a spelling that folds alike (``Gazetteer._add_fuzzy``)
    fuzzy: bool = False


class Gazetteer:
    """An in-memory gazetteer with a token n-gram index (see the module docstring)."""

    # The extraction engine hands ``locate`` its word tokens (see ``PlaceLocator``).
    takes_word_offsets = True

    def __init__(
        self,
        places: Iterable[Place] = (),
        *,
        bare_governorate: Iterable[str] = (),
        context_keys: dict[str, Any] | None = None,
        skeleton_words: dict[str, list[str]] | None = None,
        arabic_word_keys: Iterable[str] = (),
    ) -> None:
        rules = matching_rules()
        self._stop = frozenset(str(w).lower() for w in rules.get("stop_single", []))
        self._article_names = frozenset(str(w).lower() for w in rules.get("article_names", []))
        self._openers = frozenset(str(w) for w in rules.get("lowercase_openers", []))
        self._drop = frozenset(normalize_name(str(n)) for n in rules.get("drop_names", []))
        self._article = article_key()
        self._arabic_clitics = tuple(str(c) for c in rules.get("arabic_clitics", []))
        # "sub-district": a context word written with a hyphen reads as two words
        self._subdistrict_pairs = frozenset(
            tuple(str(w).lower().split("-"))
            for w in rules.get("subdistrict_words", [])
            if "-" in str(w)
        )
        self._not_countryside_after = frozenset(
            str(w).lower() for w in rules.get("countryside_not_after_name", [])
        )
        self._kept_governorate_prefixes = frozenset(
            tuple(str(p).lower().split()) for p in rules.get("governorate_prefix_kept", [])
        )
        self._region_before = frozenset(str(w).lower() for w in rules.get("region_before_name", []))
        self._fuzzy_cues = frozenset(str(w).lower() for w in rules.get("fuzzy_cues", []))
        self._fuzzy_cue_keys = frozenset(fold_token(w) for w in self._fuzzy_cues)
        self._pcode_prefix = str(source_rules()["pcode_id_prefix"])
        self._words = {
            k: frozenset(str(w).lower() for w in rules.get(k, []))
            for k in (
                "governorate_words",
                "countryside_words",
                "district_words",
                "neighbourhood_words",
                "subdistrict_words",
                "city_words",
                "feature_words",
                "org_followers",
                "org_followers_any_case",
                "abroad_links",
                "directions",
            )
        }
        self._prefixes = {
            k: [tuple(str(p).lower().split()) for p in rules.get(k, [])]
            for k in ("city_prefix", "governorate_prefix", "near_prefix")
        }
        # The last words of all prefixes: a prefix can only match when the word before a name
        # is one of them (None when an empty prefix, which needs no word, is configured).
        all_prefixes = [p for ps in self._prefixes.values() for p in ps]
        self._prefix_last: frozenset[str] | None = (
            frozenset(p[-1] for p in all_prefixes) if all(all_prefixes) else None
        )
        self.bare_governorate = frozenset(bare_governorate)
        self._qualifier_before: dict[str, str] = {}
        self._qualifier_after: dict[str, str] = {}
        self._qualifier_forms: dict[str, tuple[list[str], list[str]]] = {}
        for group, forms in (rules.get("qualifiers") or {}).items():
            before = [fold_token(str(w)) for w in forms.get("before", [])]
            after = [fold_token(str(w)) for w in forms.get("after", [])]
            self._qualifier_forms[str(group)] = (before, after)
            self._qualifier_before.update(dict.fromkeys(before, str(group)))
            self._qualifier_after.update(dict.fromkeys(after, str(group)))
        # Matching keys that are also a common word, a given name or a country somewhere (key ->
        # that word): a mention with such a key needs place context (see ``_needs_context``).
        self.context_keys: dict[str, Any] = dict(context_keys or {})
        # skeleton -> English words with it: never matched to a place by consonants alone
        self.skeleton_words = {k: frozenset(v) for k, v in (skeleton_words or {}).items()}
        # one-word Arabic names that are common words: risky unless a place word stands before
        self.arabic_word_keys = frozenset(arabic_word_keys)
        self._arabic_place_cues = frozenset(
            fold_token(str(w)) for w in rules.get("arabic_place_cues", [])
        )
        for w in rules.get("context_words", []):
            key = fold_token(str(w))
            self.context_keys[key] = [*self.context_keys.get(key, []), plain(str(w))]
        # places abroad that reports name beside Syrian ones (key -> True; first token -> length)
        # Spelled as listed (lower-cased, accents and apostrophes aside), not folded: "Basra" is
        # abroad, while "Busra" folds like it.
        self._foreign = frozenset(
            " ".join(plain(w) for w in split_name(str(n))) for n in rules.get("foreign_names", [])
        )
        self._foreign_first: dict[str, int] = {}
        for key in self._foreign:
            first, n = key.split(" ")[0], key.count(" ") + 1
            self._foreign_first[first] = max(self._foreign_first.get(first, 0), n)
        self._places: dict[str, Place] = {}
        self._index: dict[str, list[Place]] = {}
        # skeleton -> (place, its article-less key): resolve_name's fallback (see ``skeleton``)
        self._skeletons: dict[str, list[tuple[Place, str]]] = {}
        self._first: dict[str, int] = {fold_token(w): n for w, n in self._foreign_first.items()}
        self._foreign_folds = frozenset(self._first)
        # One-word mentions: surface -> _single_word's answer (see _find); the same few
        # hundred words recur in every report. Cleared whenever the index changes.
        self._single: dict[str, list[Place] | None] = {}
        self.add_places(places)

    # --- building -----------------------------------------------------------------------

    def add_places(self, places: Iterable[Place]) -> int:
        """Add (or replace, by id) places and index their names; returns how many were added.

        Why public: other countries or analyst-curated villages are added as data, e.g. from a
        GeoNames dump, without rebuilding the packaged file.
        """
        self._single.clear()
        n = 0
        for p in places:
            old = self._places.get(p.id)
            if old is not None:
                for key in self._keys(old):
                    self._index[key] = [q for q in self._index.get(key, []) if q.id != p.id]
                    sk = skeleton(key)
                    self._skeletons[sk] = [
                        x for x in self._skeletons.get(sk, []) if x[0].id != p.id
                    ]
            self._places[p.id] = p
            keys = self._keys(p)
            # "al X" and "X" share one article-less form, and so one skeleton entry
            for bare in {_bare(k) for k in keys}:
                self._skeletons.setdefault(skeleton(bare), []).append((p, bare))
            for key in keys:
                bucket = self._index.setdefault(key, [])
                if all(q.id != p.id for q in bucket):
                    bucket.append(p)
                tokens = key.split(" ")
                self._first[tokens[0]] = max(self._first.get(tokens[0], 0), len(tokens))
            n += 1
        return n

    def _keys(self, p: Place) -> set[str]:
        keys: set[str] = set()
        for name in p.names:
            toks = split_name(name)
            if not toks or len(toks) > MAX_NGRAM:
                continue
            key = " ".join(fold_token(t) for t in toks)
            if key in self._drop:
                continue
            keys.add(key)
            keys.update(self._qualified(key))
            if fold_token(toks[0]) != self._article and len(toks) < MAX_NGRAM:
                # "al-Fou'aa" for "Foah": reports add the article that a source left out.
                keys.add(f"{self._article} {key}")
            # "Al-Bara" is also written "Bara"; index the article-less form when it is safe.
            if len(toks) > 1 and fold_token(toks[0]) == self._article:
                rest = toks[1:]
                if len(rest) > 1 or (plain(rest[0]) not in self._stop and len(rest[0]) >= 4):
                    keys.add(" ".join(fold_token(t) for t in rest))
        return keys

    def _qualified(self, key: str) -> set[str]:
        """``key`` in every other form of the qualifier it carries ("big arm" -> "arm al
        kabar", "arm kabar", ...), or nothing when it carries none (see ``qualifiers``)."""
        toks = key.split(" ")
        group = None
        if len(toks) > 1 and toks[0] in self._qualifier_before:
            group, core = self._qualifier_before[toks[0]], toks[1:]
        elif len(toks) > 1 and toks[-1] in self._qualifier_after:
            group, core = self._qualifier_after[toks[-1]], toks[:-1]
            if len(core) > 1 and core[-1] == self._article:
                core = core[:-1]
        if group is None or not core:
            return set()
        before, after = self._qualifier_forms[group]
        out = {" ".join([q, *core]) for q in before}
        out |= {" ".join([*core, q]) for q in after}
        out |= {" ".join([*core, self._article, q]) for q in after}
        return {k for k in out if k.count(" ") < MAX_NGRAM}

    # --- look-ups -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._places)

    def __iter__(self) -> Iterator[Place]:
        return iter(self._places.values())

    def get(self, place_id: str) -> Place | None:
        return self._places.get(place_id)

    def admin1_names(self) -> list[str]:
        """Display names of the governorates (admin1 units), sorted."""
        return sorted(p.name for p in self._places.values() if p.kind == "admin1")

    def places_in_admin1(self, admin1: str, kinds: Iterable[str] | None = None) -> list[Place]:
        """Places whose governorate is ``admin1`` (a name in any spelling, or a P-code)."""
        wanted = set(kinds) if kinds is not None else None
        return [
            p
            for p in self._places.values()
            if self._in_admin1(p, admin1) and (wanted is None or p.kind in wanted)
        ]

    def _in_admin1(self, p: Place, admin1: str) -> bool:
        if p.admin1_pcode and admin1.upper() == p.admin1_pcode.upper():
            return True
        target = self.resolve_admin1(admin1)
        return target is not None and p.admin1_pcode == target.admin1_pcode

    def resolve_admin1(self, name: str) -> Place | None:
        """The governorate called ``name`` (any spelling, "X Governorate" too) or P-code."""
        direct = self._places.get(f"{self._pcode_prefix}{name.upper()}")
        if direct is not None and direct.kind == "admin1":
            return direct
        toks = [t for t in split_name(name) if t.lower() not in self._words["governorate_words"]]
        key = " ".join(fold_token(t) for t in toks)
        for p in self._index.get(key, []):
            if p.kind == "admin1":
                return p
        return None

    def candidates(self, name: str) -> list[Place]:
        """Every place one of whose names folds like ``name``."""
        return list(self._index.get(normalize_name(name), []))

    def resolve_name(
        self, name: str, admin1_hint: str | None = None, *, admin1: str | None = None
    ) -> Place | None:
        """The most likely place called ``name`` (optionally within governorate ``admin1``).

        Tries the whole name, then without a trailing "Governorate/Province/District" word (which
        then selects that unit), then each part of "A/B" or "A (B)"; when no spelling folds
        alike, the names with the same consonants (``skeleton``) that are spelled closely enough.
        Settlements beat the admin unit of the same name unless such a word asked for the unit.
        ``admin1_hint`` is an alias of ``admin1`` for callers written against the evaluation's
        resolver protocol.
        """
        ranked = self.rank_name(name, admin1_hint, admin1=admin1)
        return ranked[0].place if ranked else None

    def rank_name(
        self, name: str, admin1_hint: str | None = None, *, admin1: str | None = None
    ) -> list[Ranked]:
        """Every candidate for ``name``, best first, each with the reasons for its rank."""
        admin1 = admin1 if admin1 is not None else admin1_hint
        for fuzzy in (False, True):
            for variant, want in self._name_variants(name):
                found = self._variant_candidates(variant, fuzzy)
                cands = [p for p, _ in found]
                if admin1 is not None:
                    in_a1 = [p for p in cands if self._in_admin1(p, admin1)]
                    cands = in_a1 or ([] if cands and self.resolve_admin1(admin1) else cands)
                if want == "settlement":
                    cands = [p for p in cands if p.kind in SETTLEMENT_KINDS] or cands
                elif want is not None:
                    cands = [p for p in cands if p.kind == want] or cands
                if cands:
                    likeness = dict((p.id, like) for p, like in found)
                    return _ranked(name, cands, likeness, admin1, want)
        return []

    def _variant_candidates(self, key: str, fuzzy: bool) -> list[tuple[Place, float]]:
        """The places indexed under ``key`` (likeness 1), or with ``fuzzy`` those whose name has
        the same skeleton and folds within ``_MIN_FUZZY`` of ``key`` (with that likeness)."""
        if not fuzzy:
            return [(p, 1.0) for p in self._index.get(key, [])]
        bare = _bare(key)
        out: dict[str, tuple[Place, float]] = {}
        for p, other in self._skeletons.get(skeleton(key), []):
            like = fuzz.ratio(bare, other) / 100
            if like >= _MIN_FUZZY and like > out.get(p.id, (p, 0.0))[1]:
                out[p.id] = (p, like)
        return list(out.values())

    def _name_variants(self, name: str) -> Iterator[tuple[str, str | None]]:
        toks = split_name(name)
        if not toks:
            return
        yield " ".join(fold_token(t) for t in toks), None
        last = toks[-1].lower()
        unit = (
            "admin1"
            if last in self._words["governorate_words"]
            else "admin2"
            if last in self._words["district_words"]
            else "admin3"
            if last in self._words["subdistrict_words"]
            else None
        )
        if unit is not None and len(toks) > 1:
            yield " ".join(fold_token(t) for t in toks[:-1]), unit
        # "Aleppo town", "Jabal al Akrad mountain", "Deir ez Zor military airport": a trailing
        # feature word says what kind of place it is, not which one.
        core = list(toks)
        while len(core) > 1 and core[-1].lower() in self._words["feature_words"]:
            core.pop()
        if len(core) < len(toks):
            want = "settlement" if toks[-1].lower() in self._words["city_words"] else None
            yield " ".join(fold_token(t) for t in core), want
        if fold_token(toks[0]) == self._article and len(toks) > 1:
            yield " ".join(fold_token(t) for t in toks[1:]), None
        for part in re.split(r"[/()]", name):
            if part.strip() and part.strip() != name.strip():
                yield normalize_name(part), None

    # --- locate -------------------------------------------------------------------------

    def locate(self, text: str, words: tuple[list[int], list[int]] | None = None) -> list[PlaceRef]:
        """Every place mention in ``text``, in order, with exact evidence spans.

        ``words``: the (starts, ends) offsets of the WORD tokens of
        :func:`marsad.extract.text.tokenize` for this same text, when the caller already has
        them. They save re-splitting the text; the result is the same with or without them
        (texts where the two tokenizers could differ are split again, see ``_from_words``).
        """
        # Asked once, here: both the tokens from ``words`` and the Arabic test depend on it.
        letters = _non_ascii_letters(text)
        tokens = None if words is None else _from_words(text, words, letters)
        if tokens is None:
            tokens = self._tokenize(text)
        mentions = self._find(text, tokens, letters and is_arabic(text))
        return self._resolve(text, mentions)

    def _tokenize(self, text: str) -> _Tokens:
        parts = _SPLIT_RE.split(text)
        offsets = list(accumulate(map(len, parts)))
        return _finish_tokens(offsets[0:-1:2], offsets[1::2], parts[1::2], text)

    def _find(self, text: str, t: _Tokens, arabic_text: bool | None = None) -> list[_Mention]:
        """The mentions in ``text`` (``arabic_text``: ``is_arabic(text)``, when known)."""
        found: list[_Mention] = []
        n_tok = len(t)
        keys, surfaces, starts, ends = t.keys, t.surfaces, t.starts, t.ends
        # Tokens k and k + 1 are one name's when only spaces or hyphens lie between them:
        # join_gap(text, ends[k], starts[k + 1]) is not None, or, for the usual one-character
        # gap, text[ends[k]] in _GAP_CHARS (the same test without a regex call).
        join_gap = _JOIN_GAP.fullmatch
        # Only tokens that can open a name are visited: those whose fold opens some indexed
        # name, and in Arabic text every token (a clitic "و", "ب" ... may be glued to a name).
        if arabic_text is None:
            arabic_text = is_arabic(text)
        if arabic_text:
            openers: Iterable[int] = range(n_tok)
        else:
            openers = compress(range(n_tok), map(self._first.__contains__, keys))
        article, clitics = self._article, self._arabic_clitics
        next_free = 0  # tokens before this one belong to a mention already found
        for i in openers:
            if i < next_free:
                continue
            surface = surfaces[i]
            if surface[0].islower() and not (
                i + 1 < n_tok
                and (
                    surfaces[i + 1][0].isupper()
                    or keys[i + 1] == article
                    or (arabic_text and is_arabic(surfaces[i + 1]))
                )
            ):
                # A lower-case word ("said", "in", "homes") opens a name only before the
                # article, a capitalised or an Arabic word ("rural Damascus"): _acceptable's
                # rule for later words, applied before any look-up.
                continue
            first_key = keys[i]
            offset = 0
            maxn = self._first.get(first_key, 0)
            if not maxn and is_arabic(surface) and surface[0] in clitics:
                stripped = fold_token(surface[1:])
                if len(stripped) >= 3 and stripped in self._first:
                    first_key, offset, maxn = stripped, 1, self._first[stripped]
            if not maxn:
                continue
            hit: tuple[int, list[Place]] | None = None
            limit = 1
            while limit < maxn and i + limit < n_tok:
                gap_start, gap_end = ends[i + limit - 1], starts[i + limit]
                if not (
                    text[gap_start] in _GAP_CHARS
                    if gap_end - gap_start == 1
                    else join_gap(text, gap_start, gap_end)
                ):
                    break
                limit += 1
            foreign = self._foreign_length(t, i, limit) if first_key in self._foreign_folds else 0
            if foreign:
                # "Saudi Arabia", "Gaziantep": a place abroad, whose words name no Syrian place.
                next_free = i + foreign
                continue
            for n in range(limit, 1, -1):
                cands = self._index.get(" ".join([first_key, *keys[i + 1 : i + n]]))
                if cands and self._acceptable(t, i, i + n):
                    hit = (n, cands)
                    break
            else:
                # One word: the outcome depends on the surface alone (first_key and offset
                # follow from it), and the same words recur in every report, so it is cached.
                one = self._single.get(surface, _UNKNOWN)
                if one is _UNKNOWN:
                    one = self._single_word(t, i, first_key, offset)
                    if len(self._single) >= _SINGLE_CACHE:
                        self._single.clear()
                    self._single[surface] = one
                if one is not None:
                    hit = (1, one)
            if hit is None:
                continue
            n, cands = hit
            after = i + n
            if self._after_name_opener(text, t, i):
                next_free = after
                continue
            skip = self._not_a_mention(text, t, after) or self._name_goes_on(text, t, i, n, cands)
            if not skip and self._abroad_after(text, t, after):
                skip = 1
            if skip:
                next_free = after + skip - 1
                continue
            m = self._with_context(text, t, i, i + n - 1, starts[i] + offset, list(cands))
            m.risky = bool(self.context_keys) and self._risky(t, i, after)
            if arabic_text and n == 1 and first_key in self.arabic_word_keys:
                m.risky = m.risky or not self._after_arabic_cue(t, i)
            found.append(m)
            next_free = after
        if self._fuzzy_cues and not arabic_text:
            found = self._add_fuzzy(text, t, found)
        return found

    def _add_fuzzy(self, text: str, t: _Tokens, found: list[_Mention]) -> list[_Mention]:
        """``found`` plus the capitalised names right after a place cue ("shelling on
        Latamneh", "the village of Gaillah") that no spelling folds like but that have the
        consonants of a place name and are spelled within ``_MIN_FUZZY_TEXT`` of it."""
        taken = {k for m in found for k in range(m.start, m.end)}
        added: list[_Mention] = []
        surfaces, starts, ends = t.surfaces, t.starts, t.ends
        # the folds of the cue words pick the few candidates out in C; each is then checked
        after_cue = compress(
            range(1, len(surfaces)), map(self._fuzzy_cue_keys.__contains__, t.keys)
        )
        for k in after_cue:
            if (
                k >= len(surfaces)
                or starts[k] in taken
                or not surfaces[k][:1].isupper()
                or surfaces[k - 1].lower() not in self._fuzzy_cues
                or _JOIN_GAP.fullmatch(text, ends[k - 1], starts[k]) is None
            ):
                continue
            n = 1
            while (
                n < 3
                and k + n < len(surfaces)
                and (surfaces[k + n][:1].isupper() or t.keys[k + n] == self._article)
                and _JOIN_GAP.fullmatch(text, ends[k + n - 1], starts[k + n]) is not None
            ):
                n += 1
            for size in range(n, 0, -1):
                m = self._fuzzy_mention(text, t, k, k + size)
                if m is not None:
                    added.append(m)
                    taken.update(range(m.start, m.end))
                    break
        return sorted(found + added, key=attrgetter("start")) if added else found

    def _fuzzy_mention(self, text: str, t: _Tokens, a: int, b: int) -> _Mention | None:
        """A mention of tokens ``a..b-1`` by skeleton (see ``_add_fuzzy``), or None."""
        words = [plain(w) for w in t.surfaces[a:b]]
        if t.keys[b - 1] == self._article or any(w in self._stop for w in words[-1:]):
            return None
        key = " ".join(t.keys[a:b])
        bare = _bare(key)
        if len(bare) < _MIN_FUZZY_CHARS or self._foreign_length(t, a, b - a):
            return None
        sk = skeleton(key)
        if " ".join(words) in self.skeleton_words.get(sk, ()):
            return None  # "Sydney" is no Sidnaya
        cands: dict[str, Place] = {}
        for p, other in self._skeletons.get(sk, []):
            if fuzz.ratio(bare, other) / 100 >= _MIN_FUZZY_TEXT:
                cands[p.id] = p
        if not cands:
            return None
        m = self._with_context(text, t, a, b - 1, t.starts[a], list(cands.values()))
        m.fuzzy = True
        return m

    def _risky(self, t: _Tokens, a: int, b: int) -> bool:
        """Whether tokens ``a..b-1`` may be a common word, a given name or a country rather than
        the place: their article-less key is in ``context_keys`` and the name's last word is
        such a word as written ("Deal", "Toll", "Saudi"). "Dumaa" or "al-Shaar" fold like
        English words too, but are written as no English word is."""
        words = self.context_keys.get(without_article(" ".join(t.keys[a:b])))
        return words is not None and plain(t.surfaces[b - 1]) in words

    def _after_arabic_cue(self, t: _Tokens, i: int) -> bool:
        """Whether an Arabic place word ("قرية", "بلدة", with a clitic or not) precedes token i."""
        if i == 0:
            return False
        before = t.keys[i - 1]
        cues = self._arabic_place_cues
        return before in cues or (before[:1] in self._arabic_clitics and before[1:] in cues)

    def _after_name_opener(self, text: str, t: _Tokens, i: int) -> bool:
        """Whether a name that opens with the article follows a capitalised word that opens
        longer names or is a given name ("Bab al-Nairab", "Jabal al-Zawiya", "Omar al-Hasan"):
        the two are one name the gazetteer does not know, not the place "al-Nairab"."""
        if i == 0 or t.keys[i] != self._article:
            return False
        before = t.surfaces[i - 1]
        return (
            before[:1].isupper()
            and plain(before) in self._stop
            and _JOIN_GAP.fullmatch(text, t.ends[i - 1], t.starts[i]) is not None
        )

    def _name_goes_on(self, text: str, t: _Tokens, i: int, n: int, cands: list[Place]) -> int:
        """1 when a one-word village or neighbourhood name is followed by a capitalised word that
        is neither a place word nor the start of a place name ("Masud Berkel, a teacher"): the
        two are more likely a person's or an organisation's name than a place; else 0."""
        after = i + n
        surfaces = t.surfaces
        if (
            n != 1
            or after >= len(surfaces)
            or not surfaces[after][:1].isupper()
            or any(p.kind not in ("village", "neighbourhood") for p in cands)
            or _NAME_GAP.fullmatch(text, t.ends[i], t.starts[after]) is None
            or t.keys[after] in self._first
        ):
            return 0
        word = surfaces[after].lower()
        w = self._words
        place_words = ("city_words", "feature_words", "countryside_words", "governorate_words")
        return 0 if any(word in w[k] for k in place_words) or word in w["directions"] else 1

    def _abroad_after(self, text: str, t: _Tokens, after: int) -> bool:
        """Whether the words after a name put it abroad: "Sinjar in northern Iraq", "Tripoli,
        Lebanon" (up to three words: "in", a direction, then a country)."""
        k = after
        while k < len(t.surfaces) and k < after + 3:
            low = t.surfaces[k].lower()
            if low in self._words["directions"] or low in self._words["abroad_links"]:
                k += 1
                continue
            return self._foreign_length(t, k, 3) > 0
        return False

    def _foreign_length(self, t: _Tokens, i: int, limit: int) -> int:
        """How many tokens from ``i`` name a place abroad (0: none)."""
        first = plain(t.surfaces[i])
        if first not in self._foreign_first:
            return 0
        words = [plain(w) for w in t.surfaces[i : i + min(limit, self._foreign_first[first])]]
        for n in range(len(words), 0, -1):
            if " ".join(words[:n]) in self._foreign:
                return n
        return 0

    def _not_a_mention(self, text: str, t: _Tokens, after: int) -> int:
        """Whether the words after a name (token ``after`` on) make it no place mention: 0 when
        they do not, else how many tokens from ``after`` to pass over (at least 1).

        "Hama Media Center", "Aleppo Today", "Idlib Military Council": the place names an
        organisation, which is not where anything happened. "Sahl al-Ghab", "Jabal al-Zawiya":
        the name goes on with an article and a capitalised word, so the match is only the start
        of a longer name the gazetteer does not know."""
        surfaces, starts, ends = t.surfaces, t.starts, t.ends
        if (
            after >= len(surfaces)
            or _JOIN_GAP.fullmatch(text, ends[after - 1], starts[after]) is None
        ):
            return 0
        word = surfaces[after]
        lower = word.lower()
        if (lower in self._words["org_followers"] and word[:1].isupper()) or lower in self._words[
            "org_followers_any_case"
        ]:
            return 2
        if t.keys[after] == self._article and after + 1 < len(surfaces):
            gap = text[ends[after] : starts[after + 1]]
            # "al-Ghab", "al Ghab", and "al-imam" (a hyphen binds a lower-case word too)
            if (surfaces[after + 1][:1].isupper() and _JOIN_GAP.fullmatch(gap)) or gap == "-":
                return 1
        return 0

    def _single_word(self, t: _Tokens, i: int, first_key: str, offset: int) -> list[Place] | None:
        """The places the one word ``i`` names (``first_key``: its key, ``offset``: 1 when an
        Arabic clitic was stripped), or None when it names none acceptably."""
        cands = self._index.get(first_key)
        surface = t.surfaces[i]
        if cands and not offset and not is_arabic(surface):
            spelled = plain(surface)
            cands = [c for c in cands if _spelled_alike(spelled, c.names)]
        return cands if cands and self._acceptable(t, i, i + 1) else None

    def _acceptable(self, t: _Tokens, a: int, b: int) -> bool:
        """Capitalisation and stoplist rules that keep English words from becoming places
        (for the mention made of tokens ``a`` to ``b - 1``)."""
        surfaces = t.surfaces
        first = surfaces[a]
        if is_arabic(first):
            return b - a > 1 or first not in self._stop
        # "al-Assad", "al-Sham": a lower-case article plus a stoplisted word is no place, while
        # capitalised "Al-Bab" is how the town is written.
        article = self._article
        stop_pair = b - a == 2 and t.keys[a] == article and plain(surfaces[a + 1]) in self._stop
        town = (
            stop_pair
            and surfaces[a + 1][0].isupper()
            and plain(surfaces[a + 1]) in (self._article_names)
        )
        if stop_pair and first[0].islower() and not town:
            return False
        if b - a == 1:
            p = plain(first)
            return len(p) >= 3 and p not in self._stop and first[0].isupper()
        if any(len(w) <= 3 and w.isupper() for w in surfaces[a + 1 : b]):
            # "An IS cell", "the US" are acronyms, while a name's later words are capitalised
            # words ("Al Eis").
            return False
        # Later words must be capitalised unless they are the article ("Al said" is no place).
        if any(
            t.keys[k] != article and not surfaces[k][0].isupper() and not is_arabic(surfaces[k])
            for k in range(a + 1, b)
        ):
            return False
        if first[0].isupper():
            return True
        if t.surfaces[a].lower() in self._openers:
            return True
        # "rural Damascus" (the governorate): a region word, then a capitalised last word. Any
        # other lower-case opener is an English word ("in Dar'a" is not Ein Dara, "at Hama" not
        # Al Hamah).
        return (
            plain(first) in self._region_before
            and surfaces[b - 1][0].isupper()
            and not is_arabic(surfaces[b - 1])
        )

    def _with_context(
        self, text: str, t: _Tokens, a: int, b: int, start: int, cands: list[Place]
    ) -> _Mention:
        """Read the words around tokens ``a..b`` and widen the span over those that qualify."""
        starts, ends, surfaces = t.starts, t.ends, t.surfaces
        n_tok = len(surfaces)
        # Tokens k and k + 1 are "linked" when gap(text, ends[k], starts[k + 1]) matches, and
        # for a one-character gap exactly when that character is in _GAP_CHARS.
        gap = _CONTEXT_GAP.fullmatch
        end = ends[b]
        m = _Mention(start, end, start, end, cands, None)
        w = self._words
        nxt = nxt2 = None
        if b + 1 < n_tok and (
            text[end] in _GAP_CHARS if starts[b + 1] - end == 1 else gap(text, end, starts[b + 1])
        ):
            nxt = surfaces[b + 1].lower()
            if nxt and b + 2 < n_tok and gap(text, ends[b + 1], starts[b + 2]) is not None:
                nxt2 = surfaces[b + 2].lower()
        # The linked word before the name; the up to three linked words before it (``prev``)
        # are only read when that word can end a prefix ("the city of", "outskirts of").
        linked_before = a > 0 and bool(
            text[ends[a - 1]] in _GAP_CHARS
            if starts[a] - ends[a - 1] == 1
            else gap(text, ends[a - 1], starts[a])
        )
        word_before = surfaces[a - 1].lower() if linked_before else None
        has_admin1 = "admin1" in map(_KIND, cands)
        pair = (nxt, nxt2) in self._subdistrict_pairs
        if pair or nxt in w["subdistrict_words"]:
            m.context = "subdistrict"
            m.span_end = ends[b + (2 if pair else 1)]
        elif nxt in w["neighbourhood_words"]:
            m.context = "neighbourhood"
            m.span_end = ends[b + 1]
        elif nxt in w["district_words"]:
            m.context = "district"
            m.span_end = ends[b + 1]
        elif nxt in w["governorate_words"]:
            m.context = "governorate"
            m.span_end = ends[b + 1]
        elif nxt in w["city_words"]:
            m.context = "city"
            m.span_end = ends[b + 1]
        elif nxt in w["countryside_words"] and nxt not in self._not_countryside_after:
            m.context = "region" if has_admin1 else "near"
            m.span_end = ends[b + 1]
        elif nxt in w["directions"] and nxt2 in w["countryside_words"] and has_admin1:
            # "Idlib's southern countryside", "Hama northern countryside": a region of it.
            m.context = "region"
            m.span_end = ends[b + 2]
        prefixes: tuple[tuple[list[tuple[str, ...]], MentionContext], ...] = ()
        prev: list[str] = []
        if self._prefix_last is None or (
            word_before is not None and word_before in self._prefix_last
        ):
            # Some prefix may end on the word before the name (most names have none).
            prefixes = (
                (self._prefixes["city_prefix"], "city"),
                (self._prefixes["governorate_prefix"], "governorate"),
                (self._prefixes["near_prefix"], "near"),
            )
            i = a
            while len(prev) < 3 and i > 0 and gap(text, ends[i - 1], starts[i]) is not None:
                i -= 1
                prev.insert(0, surfaces[i].lower())
        for words, ctx in prefixes:
            for p in words:
                if tuple(prev[-len(p) :]) == p:
                    if ctx == "governorate" and p not in self._kept_governorate_prefixes:
                        ctx = "region" if has_admin1 else "near"
                    if (
                        m.context is None
                        or (ctx == "region" and m.context == "governorate")
                        or (ctx == "near" and m.context == "city")  # "west of Aleppo city"
                    ):
                        m.context = ctx
                    if ctx != "near":
                        m.span_start = starts[a - len(p)]
                    break
        # "southern Idlib", "western rural Aleppo", "north-western Hama countryside"
        rural = word_before in self._region_before
        k = a - 1 if rural else a
        if (
            has_admin1
            and k > 0
            and (linked_before if k == a else gap(text, ends[k - 1], starts[k]) is not None)
            and surfaces[k - 1].lower() in w["directions"]
        ):
            if m.context in (None, "region", "governorate"):
                m.context = "region"
                m.span_start = starts[k - 1]
        elif rural and has_admin1 and m.context in (None, "governorate"):
            m.context = "region"
            m.span_start = starts[a - 1]
        return m

    def _resolve(self, text: str, mentions: list[_Mention]) -> list[PlaceRef]:
        """One place per mention, chosen with the text's other places; a risky mention without
        a place word is kept only beside a place of its governorate."""
        chosen = self._vouched([self._filter(m) for m in mentions], mentions)
        # Governorates and points of the mentions that are neither risky nor ambiguous.
        certain: list[tuple[int, str]] = []
        points: list[tuple[int, float, float]] = []
        for m, cands in zip(mentions, chosen, strict=True):
            a1 = {p.admin1_pcode for p in cands}
            if not cands or len(a1) != 1 or None in a1:
                continue
            certain.append((m.start, next(iter(a1))))  # type: ignore[arg-type]
            p = cands[0]
            if len(cands) == 1 and p.kind in SETTLEMENT_KINDS and p.lat is not None:
                points.append((m.start, p.lat, p.lon or 0.0))
        doc_a1 = Counter(map(itemgetter(1), certain))
        # Positions are sorted (mentions come in text order), so each mention reads only the
        # certain mentions and points near it: linear in the number of mentions.
        cpos = [pos for pos, _ in certain]
        ppos = [pos for pos, _, _ in points]
        refs: list[PlaceRef] = []
        for m, cands in zip(mentions, chosen, strict=True):
            lo, hi = (
                bisect_left(cpos, m.start - _NEARBY_CHARS),
                bisect_right(cpos, m.start + _NEARBY_CHARS),
            )
            near = Counter(a for pos, a in certain[lo:hi] if pos != m.start)
            if not cands:
                continue
            lo, hi = (
                bisect_left(ppos, m.start - _CLOSE_CHARS),
                bisect_right(ppos, m.start + _CLOSE_CHARS),
            )
            place, reason, confidence = _choose(text, m, cands, near, doc_a1, points[lo:hi])
            if m.fuzzy:
                reason = "+".join(("consonants", reason))
                confidence = round(confidence * 0.75, 2)
            refs.append(self._ref(text, m, place, reason, confidence))
        return refs

    def _vouched(self, chosen: list[list[Place]], mentions: list[_Mention]) -> list[list[Place]]:
        """``chosen`` with doubtful mentions' candidates cut to the governorates that some other,
        sure, mention within ``_NEARBY_CHARS`` may lie in.

        A risky mention (``_risky``) needs such a neighbour (none left: no place), unless a
        place word vouches for it ("the village of X", "near X"). A mention found by its
        consonants, or named as a quarter or district ("the X neighbourhood"), keeps its
        candidates when the text names no other place nearby, and loses those that disagree
        with the places it does name ("Bustan al-Basha neighbourhood in Aleppo" is no village
        of Latakia)."""
        doubtful = [self._doubt(m) for m in mentions]
        safe = [
            (m.start, {p.admin1_pcode for p in cands})
            for m, cands, d in zip(mentions, chosen, doubtful, strict=True)
            if d is None
        ]
        if len(safe) == len(mentions):
            return chosen
        pos = [x for x, _ in safe]
        out = []
        for m, cands, d in zip(mentions, chosen, doubtful, strict=True):
            if d is not None:
                lo = bisect_left(pos, m.start - _NEARBY_CHARS)
                hi = bisect_right(pos, m.start + _NEARBY_CHARS)
                near = [a1 for x, a1 in safe[lo:hi] if x != m.start]
                if near or d == "risky":
                    nearby = set().union(*near)
                    cands = [p for p in cands if p.admin1_pcode in nearby]
            out.append(cands)
        return out

    @staticmethod
    def _doubt(m: _Mention) -> str | None:
        """Why a mention must agree with its neighbours: "risky", "soft", or None."""
        if m.risky and m.context not in ("city", "near"):
            return "risky"
        if (
            m.fuzzy
            or m.context == "neighbourhood"
            or (m.context == "district" and all(p.kind != "admin2" for p in m.candidates))
        ):
            return "soft"
        return None

    def _filter(self, m: _Mention) -> list[Place]:
        """The candidates of the kind the context asks for (see the module docstring)."""
        if len(m.candidates) == 1:
            return m.candidates  # what any rule below gives for one candidate (read-only)
        by_kind: dict[str, list[Place]] = {}
        for p in m.candidates:
            group = "settlement" if p.kind in SETTLEMENT_KINDS else p.kind
            by_kind.setdefault(group, []).append(p)
        admin1s = by_kind.get("admin1", [])
        if m.context in ("governorate", "region") and admin1s:
            return admin1s
        order: tuple[str, ...]
        # "Fardous district", "al-Marjeh neighbourhood": a city's quarter before a namesake
        # village (a district of a city is no admin2 unit)
        quarters = [p for p in m.candidates if p.kind == "neighbourhood"]
        if m.context == "neighbourhood" and quarters:
            return quarters
        if m.context == "district" and quarters and "admin2" not in by_kind:
            return quarters
        if m.context == "district":
            order = ("admin2", "admin3", "settlement", "admin1")
        elif m.context == "subdistrict":
            order = ("admin3", "admin2", "settlement", "admin1")
        elif m.context in ("city", "near"):
            order = ("settlement", "admin3", "admin2", "admin1")
        elif any(p.admin1_pcode in self.bare_governorate for p in admin1s):
            order = ("admin1", "settlement", "admin3", "admin2")
        else:
            order = ("settlement", "admin3", "admin2", "admin1")
        for wanted in order:
            if wanted in by_kind:
                return by_kind[wanted]
        return m.candidates

    def _ref(self, text: str, m: _Mention, p: Place, reason: str, confidence: float) -> PlaceRef:
        if m.context == "region" and p.kind == "admin1":
            precision, kind = "region", "region"
            name = text[m.span_start : m.span_end]
        else:
            precision = _PRECISION_BY_KIND.get(p.kind, "exact")
            if m.context == "near" and precision == "exact":
                precision = "near"
            kind, name = p.kind, p.name
        s, e = m.span_start, m.span_end
        return PlaceRef(
            name=name,
            precision=precision,
            evidence=Span(s, e, text[s:e]),
            gazetteer_id=p.id,
            kind=kind,
            admin1=p.admin1,
            admin1_pcode=p.admin1_pcode,
            admin2=p.admin2,
            admin2_pcode=p.admin2_pcode,
            admin3=p.admin3,
            admin3_pcode=p.admin3_pcode,
            admin4_pcode=p.admin4_pcode,
            lat=p.lat,
            lon=p.lon,
            reason=reason,
            confidence=confidence,
        )


def _choose(
    text: str,
    m: _Mention,
    cands: list[Place],
    near: Counter[str],
    doc_a1: Counter[str],
    points: list[tuple[int, float, float]],
) -> tuple[Place, str, float]:
    """The candidate that fits the text best, why, and how sure that is (0-1).

    In order: a governorate named within ``_NEARBY_CHARS``, a governorate named anywhere in the
    text, closeness to the text's other settlements, the spelling as written, then size."""
    if len(cands) == 1:
        p = cands[0]
        if m.risky and m.context not in ("city", "near"):
            return p, "+".join(("only_candidate", "vouched_by_governorate")), 0.6
        if m.risky:
            return p, "+".join(("only_candidate", "after_place_word")), 0.75
        return p, "only_candidate", 0.9
    written = plain(text[m.start : m.end])
    others = {(lat, lon) for pos, lat, lon in points if pos != m.start}

    def closeness(p: Place) -> int:
        if not others or p.lat is None or p.lon is None:
            return 0
        d = min(approx_km(p.lat, p.lon, lat, lon) for lat, lon in others)
        return -int(d // _CLOSE_KM)

    def key(p: Place) -> tuple[int, ...]:
        a1 = p.admin1_pcode or ""
        exact = any(plain(n) == written for n in p.names)
        return (near.get(a1, 0), doc_a1.get(a1, 0), closeness(p), int(exact), *_size_rank(p))

    # The governorate tallies settle most choices; the distances are only worked out among
    # the candidates those leave tied.
    first = {
        p.id: (near.get(p.admin1_pcode or "", 0), doc_a1.get(p.admin1_pcode or "", 0))
        for p in cands
    }
    top = max(first.values())
    tied = [p for p in cands if first[p.id] == top]
    keys = {
        p.id: key(p) if len(tied) > 1 and first[p.id] == top else (*first[p.id], 0, 0, 0, 0, 0)
        for p in cands
    }
    ranked = sorted(cands, key=lambda p: keys[p.id], reverse=True)
    best, second = keys[ranked[0].id], keys[ranked[1].id]
    for i, (code, confidence) in enumerate(_CHOICE_REASONS):
        if best[i] > second[i]:
            return ranked[0], code, confidence
    return ranked[0], "largest", 0.4


# The reason codes of ``_choose``, in the order of its ranking key, with the confidence each gives.
_CHOICE_REASONS = (
    ("governorate_nearby", 0.8),
    ("governorate_in_text", 0.7),
    ("nearest_to_other_places", 0.65),
    ("spelled_as_written", 0.5),
)


_CLOSE_KM = 25.0
_CLOSE_CHARS = 3000  # the other settlements a mention is compared with lie this close in the text


_MIN_LIKENESS = 0.7


@lru_cache(maxsize=100_000)
def _spelled_alike(surface: str, names: tuple[str, ...]) -> bool:
    """Whether a one-word mention is spelled like one of the place's names (article aside).

    Folding (vowel runs to "a", doubled letters merged) is what lets "Saraqeb" find "Saraqib",
    but on a single word it also lets English words hit villages ("Human" -> Hamin, "July" ->
    Al Jala, "Beirut" -> Barah). A real variant spelling stays close letter for letter, so a
    one-word mention needs a character similarity of at least ``_MIN_LIKENESS`` to some name.
    """
    for name in names:
        if is_arabic(name):
            continue
        toks = [plain(t) for t in split_name(name)]
        article = article_key()
        while len(toks) > 1 and fold_token(toks[0]) == article:
            toks = toks[1:]
        joined = "".join(toks)
        if SequenceMatcher(None, surface, joined).ratio() >= _MIN_LIKENESS:
            return True
    return False


_MIN_FUZZY = 0.75
# In running text, where a capitalised word after "in" may be anything, a closer likeness and a
# longer name are asked of a skeleton match.
_MIN_FUZZY_TEXT = 0.8
_MIN_FUZZY_CHARS = 5


@dataclass(frozen=True, slots=True)
class Ranked:
    """One candidate of a name look-up and why it ranks where it does.

    ``reasons`` are codes, rendered in words by whoever shows them: "spelled_as_written",
    "folds_alike" or "consonants" (a skeleton match, ``likeness`` below 1), then "in_admin1"
    (within the governorate asked for) and "kind_asked" (the kind a trailing word asked for);
    after those, candidates rank by kind, population and number of sources."""

    place: Place
    likeness: float  # 1.0: a name folds exactly like the query; less: a skeleton match
    reasons: tuple[str, ...]


def _ranked(
    name: str,
    cands: list[Place],
    likeness: dict[str, float],
    admin1: str | None,
    want: str | None,
) -> list[Ranked]:
    """Candidates best first: closest spelling (folded, then letter for letter), then size."""
    spelled = plain(name)

    def exact(p: Place) -> bool:
        return any(plain(n) == spelled for n in p.names)

    order = sorted(
        cands,
        key=lambda p: (-round(likeness.get(p.id, 0.0), 2), not exact(p), _neg(_size_rank(p))),
    )
    out = []
    for p in order:
        like = likeness.get(p.id, 0.0)
        why = ["spelled_as_written" if exact(p) else "folds_alike" if like >= 1 else "consonants"]
        if admin1 is not None:
            why.append("in_admin1")
        if want is not None:
            why.append("kind_asked")
        out.append(Ranked(p, like, tuple(why)))
    return out


def _bare(key: str) -> str:
    """The article-less key with its spaces dropped: what skeleton matches compare."""
    return without_article(key).replace(" ", "")


def _neg(t: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(-x for x in t)


def _size_rank(p: Place) -> tuple[int, int, int]:
    return (_KIND_RANK.get(p.kind, 0), p.population or 0, len(p.sources))


def load_pack(path: str | Path = DEFAULT_PACK) -> tuple[list[Place], dict[str, Any]]:
    """Places and meta from a pack written by ``scripts/build_gazetteer.py``."""
    places: list[Place] = []
    meta: dict[str, Any] = {}
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            d = json.loads(line)
            if "meta" in d:
                meta = d["meta"]
            else:
                places.append(Place.from_dict(d))
    return places, meta


def load_gazetteer(path: str | Path = DEFAULT_PACK) -> Gazetteer:
    places, meta = load_pack(path)
    return Gazetteer(
        places,
        bare_governorate=meta.get("bare_name_means_governorate", ()),
        context_keys=meta.get("context_keys") or {},
        skeleton_words=meta.get("skeleton_words") or {},
        arabic_word_keys=meta.get("arabic_word_keys") or (),
    )


def _finish_tokens(starts: list[int], ends: list[int], surfaces: list[str], text: str) -> _Tokens:
    """Tokens from the raw word matches: possessives cut, over-long words dropped, folded."""
    # "Idlib's": the possessive is not part of the name. Found in the text (a C-level scan)
    # rather than by testing every word's ending.
    if "'" in text or "’" in text:
        for m in _POSSESSIVE_RE.finditer(text):
            e = m.end()
            cut = e - m.start()
            i = bisect_left(ends, e)
            if i < len(ends) and ends[i] == e and e - starts[i] > cut:
                surfaces[i] = surfaces[i][:-cut]
                ends[i] -= cut
    if surfaces and max(map(len, surfaces)) > _MAX_TOKEN:
        keep = [i for i, w in enumerate(surfaces) if len(w) <= _MAX_TOKEN]
        starts = [starts[i] for i in keep]
        ends = [ends[i] for i in keep]
        surfaces = [surfaces[i] for i in keep]
    return _Tokens(starts, ends, surfaces, list(map(_FOLDS.__getitem__, surfaces)))


class _FoldCache(dict[str, str]):
    """``fold_token`` memoised in a plain dict: mapping dict.__getitem__ over a text's words
    runs in C, without a Python call per word as an ``lru_cache`` wrapper needs."""

    def __missing__(self, token: str) -> str:
        if len(self) >= 200_000:  # the lru_cache's bound, so memory stays bounded alike
            self.clear()
        key = self[token] = fold_token(token)
        return key


_FOLDS = _FoldCache()


# Where, in a text with non-ASCII letters, the engine's words may differ from ``_TOKEN_RE``'s: an
# apostrophe (' or ’) followed by letters that include a non-ASCII one. The engine's ASCII branch
# ``[a-z]+(?:['’][a-z]+)*(?![^\W\d_])`` then backtracks to before the apostrophe ("l’Élysée" ->
# "l", "’", "élysée"; "ab'cé" -> "ab", "'", "cé") where ``_TOKEN_RE`` keeps one word.
# Conservative: it also fires on texts where the two agree ("Ḩama’é" starts non-ASCII).
_APOSTROPHE_RISK = re.compile(r"['’][^\W\d_]*[^\W\d_A-Za-z]")
# ‘ or ` between two letters: one word for ``_TOKEN_RE``, two for the engine.
_QUOTE_JOIN = re.compile(r"[^\W\d_][‘`][^\W\d_]")
# Non-ASCII characters of ordinary English text that are no letters, removed before asking
# whether a text has non-ASCII letters at all (str.replace and isascii run at memchr speed).
_COMMON_NON_LETTERS = "—–’“”…\u00a0•«»·′″"


@lru_cache(maxsize=1)
def _numeric_letters() -> re.Pattern[str]:
    """Characters ``_TOKEN_RE`` takes for letters (``[^\\W\\d_]``) but ``str.isalpha`` does not:
    "²", "½", "Ⅻ", "①" ... A word starting with one is a PUNCT token for the engine. Every
    character beyond the BMP is included too: a class of BMP characters compiles to a bitmap,
    which keeps the search at a few microseconds per report.

    Built from the running Python's Unicode tables (once, on the first text with non-ASCII
    letters), so it cannot fall out of step with ``re`` and ``str.isalpha``.
    """
    bmp = "".join(
        c
        for c in map(chr, range(0x10000))
        if c.isnumeric() and not c.isdecimal() and not c.isalpha()
    )
    return re.compile("[" + re.escape(bmp) + "\U00010000-\U0010ffff]")


def _non_ascii_letters(text: str) -> bool:
    """Whether ``text`` may hold a non-ASCII letter (True) or surely holds none (False).

    False means every character is ASCII or one of ``_COMMON_NON_LETTERS``, so the text has no
    Arabic either."""
    if text.isascii():
        return False
    for c in _COMMON_NON_LETTERS:
        if c in text:
            text = text.replace(c, "")
    return not text.isascii()


def _from_words(
    text: str, words: tuple[list[int], list[int]], letters: bool | None = None
) -> _Tokens | None:
    """The ``_tokenize`` tokens of ``text`` built from the engine's word offsets, or None when
    they may differ.

    ``marsad.extract.text.tokenize`` splits the lower-cased text (same length, and lower-casing
    never moves a character in or out of ``\\w``, ``\\d``, ``\\s`` or the letters: checked over
    all of Unicode) into letter runs joined by ' or ’, exactly as ``_TOKEN_RE`` does, except:

    * ``_TOKEN_RE`` also joins letters across ‘ and ` ("Ma‘arrat"): such texts are split again
      (a quote that touches no letter on one side, as in ‘Homs’, joins nothing);
    * the engine's ASCII branch (``_APOSTROPHE_RISK``) and numeric "letters"
      (``_numeric_letters``) in texts with non-ASCII letters: split again;
    * the engine merges a chain of single letters and dots ("U.S.", "u.n.h.c.r.") into one
      word; ``_TOKEN_RE`` sees one word per letter, so the chain is cut back into its letters.

    (ʿ and ʾ, in ``_TOKEN_RE``'s joiners, are letters to both, so they need no care.)
    ``letters``: ``_non_ascii_letters(text)``, when the caller has it.
    """
    if ("‘" in text or "`" in text) and _QUOTE_JOIN.search(text) is not None:
        return None
    if letters is None:
        letters = _non_ascii_letters(text)
    if letters and (
        (("'" in text or "’" in text) and _APOSTROPHE_RISK.search(text) is not None)
        or _numeric_letters().search(text) is not None
    ):
        return None
    starts, ends = list(words[0]), list(words[1])
    surfaces = [text[s:e] for s, e in zip(starts, ends, strict=True)]  # faster than map(slice)
    if "." in "".join(surfaces):  # one C-level pass; most texts have no such chain
        chains = list(compress(range(len(surfaces)), map(str.__contains__, surfaces, repeat("."))))
        for i in reversed(chains):  # from the end, so earlier indices stay valid
            s, e = starts[i], ends[i]
            starts[i : i + 1] = range(s, e, 2)
            ends[i : i + 1] = range(s + 1, e, 2)
            surfaces[i : i + 1] = text[s:e:2]
    return _finish_tokens(starts, ends, surfaces, text)
