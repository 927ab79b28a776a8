"""Person names found by their context, for a language the extraction engine does not read yet.

A person nobody detected is never masked, so the names in a report must be found even before a
full language pack exists. For a script without capital letters (Arabic) a name is told by what
stands around it, as listed in the language's ``lang/<code>/persons.yaml``:

* after a cue: a role or title ("the activist", "Dr"), a kinship word ("her son"), a speech verb
  ("said", "according to"), a harm word ("was killed", "the killing of"), "named": then one to
  four name words up to a stop word (a preposition, verb, number, punctuation, place word);
* before an apposition: ", the activist ...", "(12 years)";
* in a list after a list cue ("they are:", "the names of the victims"), items joined by commas
  or "and".

Words are compared in their normalised form (letter forms folded, marks removed) and cue or stop
words are also found with a clitic attached; spans keep the original characters, so
``text[span.start:span.end] == span.text``. Every word of the language lives in the YAML file:
this module knows only the shapes of the rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from marsad.contract.claim import PersonMention, Span
from marsad.lang import LANG_DIR

CUES_FILE = "persons.yaml"
FORMAT = "cued_persons/1"

WORD, NUMBER, FOREIGN, BREAK, PUNCT = "word", "number", "foreign", "break", "punct"
_LIST, _LIST_COLON, _WEAK_LIST = "list", "list_colon", "weak_list"
_ROLE_SLOT, _NUMBER_SLOT, _AGE_SLOT = "<role>", "<number>", "<age>"
_MAX_PAREN = 12  # tokens looked at for the end of a parenthesis in a list ("(12 years)")
_NORM_CACHE_LIMIT = 100_000


class CueDataError(ValueError):
    """A language has no cue data, or its file is malformed."""


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    kind: str  # WORD (of the cue data's script), NUMBER, FOREIGN, BREAK (a newline), PUNCT
    norm: str
    raw: str
    written: str  # as written, less marks and tatweel: no letter forms folded


@dataclass(frozen=True, slots=True)
class _Cue:
    words: tuple[str, ...]
    kind: str
    role: str


@dataclass(frozen=True, slots=True)
class _Kind:
    min_words: int
    skip: frozenset[str]
    needs_skip: bool = False  # the head of a longer title: a name never follows it directly
    as_list: bool = False  # names several people: read as a list


@dataclass(frozen=True, slots=True)
class _Found:
    """A name: tokens ``first``..``last``, the first one read from its ``lead``-th letter."""

    first: int
    lead: int
    last: int
    role: str


# -- letters and tokens ----------------------------------------------------------------------


class _Letters:
    """The tokens of a text and the normalised forms of words, by the cue data's character
    rules (what a letter, a mark, a digit is; which letter forms fold together; clitics)."""

    def __init__(self, chars: Mapping[str, Any], clitics: Mapping[str, Any]) -> None:
        letters, marks, digits = chars["letters"], chars["marks"], chars["digits"]
        self.joiners = str(chars.get("joiners", ""))
        word = f"[{letters}{marks}]*[{letters}][{letters}{marks}]*"
        number = f"[{digits}]+(?:[.,\u066b][{digits}]+)*"
        skip = re.escape(self.joiners)
        self.pattern = re.compile(
            rf"(?P<word>{word})|(?P<number>{number})|(?P<foreign>[^\W\d_]+)"
            rf"|(?P<break>\n)|(?P<punct>[^\s{skip}])"
        )
        self.script = re.compile(f"[{letters}]")
        self.marks = re.compile(f"[{marks}]")
        self.table = str.maketrans({str(k): (str(v) or None) for k, v in chars["fold"].items()})
        self.conjunctions = tuple(str(c) for c in clitics["conjunctions"])
        self.and_prefix = str(clitics["and_prefix"])
        self.prepositions = tuple(str(c) for c in clitics["prepositions"])
        self.article = str(clitics["article"])
        self.lam_article = str(clitics["lam_article"])
        self._cache: dict[str, tuple[str, str]] = {}

    def norm(self, raw: str) -> str:
        """Letter forms folded, marks and format characters removed."""
        return self.forms_of(raw)[0]

    def forms_of(self, raw: str) -> tuple[str, str]:
        """The normalised form of ``raw``, and ``raw`` as written less its marks."""
        found = self._cache.get(raw)
        if found is not None:
            return found
        composed = unicodedata.normalize("NFKC", raw)
        written = self.marks.sub("", "".join(c for c in composed if not unicodedata.combining(c)))
        text = unicodedata.normalize("NFKD", composed)
        text = "".join(c for c in text if not unicodedata.combining(c))
        found = (self.marks.sub("", text).translate(self.table), written)
        if len(self._cache) > _NORM_CACHE_LIMIT:
            self._cache.clear()
        self._cache[raw] = found
        return found

    def tokens(self, text: str) -> list[_Token]:
        out = []
        for m in self.pattern.finditer(text):
            raw = m.group()
            norm, written = self.forms_of(raw)
            out.append(_Token(m.start(), m.end(), m.lastgroup or PUNCT, norm, raw, written))
        return out

    def forms(self, norm: str) -> list[tuple[str, int]]:
        """A word and what is left with its clitics stripped, each with how many letters were
        stripped: wa + bi + hasab ("and according to"), li + al + nashit (written lil-nashit)."""
        found = [(norm, 0)]
        if norm[:1] in self.conjunctions and len(norm) >= 3:
            found.append((norm[1:], 1))
        for form, lead in list(found):
            if form.startswith(self.lam_article) and len(form) >= 4:
                found.append((self.article + form[len(self.lam_article) :], lead + 1))
            if form[:1] in self.prepositions and len(form) >= 3:
                found.append((form[1:], lead + 1))
        return found

    def raw_offset(self, raw: str, letters: int) -> int:
        """Where in ``raw`` its ``letters``-th normalised letter ends (marks after it kept)."""
        if letters <= 0:
            return 0
        count = 0
        for index, char in enumerate(raw):
            if count >= letters and self.norm(char):
                return index
            count += len(self.norm(char))
        return len(raw)

    def has_article(self, norm: str) -> bool:
        return norm.startswith(self.article) and len(norm) > len(self.article) + 1


# -- the vocabulary --------------------------------------------------------------------------


class _Vocabulary:
    """The cue data of one language, normalised and indexed."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.letters = _Letters(data["characters"], data["clitics"])
        self.kinds = {
            str(k): _Kind(
                int(v["min_words"]),
                frozenset(str(s) for s in v.get("skip", [])),
                bool(v.get("needs_skip", False)),
                bool(v.get("list", False)),
            )
            for k, v in data["kinds"].items()
        }
        self.cues: dict[str, list[_Cue]] = {}
        for kind, by_role in data["cues"].items():
            for role, phrases in by_role.items():
                self._add_cues(phrases, str(kind), str(role))
        lists = data["lists"]
        self._add_cues(lists["open"], _LIST, str(lists["role"]))
        self._add_cues(lists["colon"], _LIST_COLON, str(lists["role"]))
        self._add_cues(lists.get("weak", []), _WEAK_LIST, str(lists["role"]))
        for found in self.cues.values():
            found.sort(key=lambda c: -len(c.words))
        self.cue_words = frozenset(
            c.words[0] for cs in self.cues.values() for c in cs if len(c.words) == 1
        )
        self.separators = self.words(lists["separators"], keep=True)
        self.numbering = self.words(lists["numbering"], keep=True)
        self.max_items = int(lists["max_items"])
        self._read_names(data["names"])
        self._read_after(data["after_name"], data["ages"])
        self._read_stops(data)
        self.leads = self.words(data["descriptor_leads"])
        self.commas = self.words(data["characters"]["commas"], keep=True)

    def _read_stops(self, data: Mapping[str, Any]) -> None:
        groups = {k: v for k, v in data["stops"].items() if k != "as_written"}
        self.stops = frozenset().union(*(self.words(v) for v in groups.values()))
        self.written_stops = frozenset(
            self.letters.forms_of(str(w))[1] for w in data["stops"].get("as_written", [])
        )
        self.places = self.words(data["stops"]["places"]) | self.words(data["not_after"])
        self.numbers = self.words(data["stops"]["numbers"])
        self.not_names = self.words(data["not_names"])
        self.enders = self.stops | self.not_names

    def _read_names(self, names: Mapping[str, Any]) -> None:
        self.max_words = int(names["max_words"])
        self.kunya = self.words(names["kunya"])
        self.joins = self.words(names["joins"])
        self.article_names = self.words(names["article_names"])
        self.clitic_names = self.words(names["clitic_letter_names"])
        self.inner_cues = self.words(names["inner_cues"])
        self.abbreviations = self.words(names["abbreviations"])
        self.skip_before = self.words(names.get("skip_before", []), keep=True)
        self.inner_prefixes_not = tuple(self.phrase(p)[0] for p in names["inner_prefixes_not"])
        self.prefixes_after_two = tuple(self.phrase(p)[0] for p in names["prefixes_end_after_two"])
        self.endings_not = tuple(self.phrase(p)[0] for p in names["endings_not"])
        self.accusative_mark = str(names.get("accusative_mark", ""))
        self.whole_words = self.words(names.get("whole_words", []))
        self.written_names = frozenset(
            self.letters.forms_of(str(w))[1] for w in names.get("as_written", [])
        )

    def _read_after(self, after: Mapping[str, Any], ages: Iterable[str]) -> None:
        slots = {_ROLE_SLOT, _NUMBER_SLOT, _AGE_SLOT}
        # by their first slot: a literal word or sign, or <number> (no other slot comes first)
        self.after_patterns: dict[str, list[tuple[str, ...]]] = {}
        for pattern in after["patterns"]:
            words = tuple(w if w in slots else self.phrase(w)[0] for w in map(str, pattern))
            if words[0] in (_ROLE_SLOT, _AGE_SLOT):
                raise CueDataError(f"after_name pattern {pattern} must begin with a word")
            self.after_patterns.setdefault(words[0], []).append(words)
        self.after_min = int(after["min_words"])
        self.after_max = int(after["max_words"])
        self.after_role = str(after["role"])
        self.ages = self.words(ages)

    def phrase(self, text: str) -> tuple[str, ...]:
        return tuple(t.norm for t in self.letters.tokens(str(text)))

    def words(self, items: Iterable[Any], *, keep: bool = False) -> frozenset[str]:
        """Normalised single words (``keep``: punctuation and newlines as written)."""
        if keep:
            return frozenset(str(i) for i in items)
        return frozenset(" ".join(self.phrase(str(i))) for i in items)

    def _add_cues(self, phrases: Iterable[Any], kind: str, role: str) -> None:
        for phrase in phrases:
            words = self.phrase(str(phrase))
            if words:
                self.cues.setdefault(words[0], []).append(_Cue(words, kind, role))

    # -- what a word is --------------------------------------------------------------------

    def is_ender(self, norm: str, written: str = "") -> bool:
        """A stop word or a word that is not a name, also with a clitic attached (a given name
        listed as beginning with a clitic's letter is a name even where it is also a noun)."""
        if norm in self.stops or (norm in self.not_names and norm not in self.clitic_names):
            return True
        if written and any(f in self.written_stops for f, _ in self.letters.forms(written)):
            return True
        if norm in self.clitic_names:
            return False
        return any(len(f) >= 2 and f in self.enders for f, _ in self.letters.forms(norm)[1:])

    def is_cue_word(self, norm: str) -> bool:
        return any(f in self.cue_words for f, _ in self.letters.forms(norm))

    def begins_name(self, norm: str, written: str = "") -> bool:
        """Whether a word may be the first of a name."""
        if written in self.written_names:
            return True
        if len(norm) < 2 or self.is_ender(norm, written) or self.is_cue_word(norm):
            return False
        if norm not in self.clitic_names and (
            norm.startswith(self.letters.and_prefix) or norm.startswith(self.inner_prefixes_not)
        ):
            return False  # "and ..." opens a clause; "lil-", "bil-" a prepositional phrase
        return norm in self.article_names or not self.letters.has_article(norm)

    def continues_name(self, token: _Token, words: int) -> bool:
        """Whether a word may follow ``words`` others in a name (the family article is allowed,
        a clause or another item is not)."""
        norm = token.norm
        if token.written in self.written_names:
            return True
        if len(norm) < 2 or self.is_ender(norm, token.written):
            return False
        if norm in self.inner_cues:
            return True
        if norm in self.clitic_names:
            return not self.is_cue_word(norm)
        if norm.startswith(self.letters.and_prefix) or norm.startswith(self.inner_prefixes_not):
            return False
        if words >= 2 and norm.startswith(self.prefixes_after_two):
            return False
        if self.accusative_mark and self.accusative_mark in token.raw:
            return False
        if any(norm.endswith(e) and len(norm) > len(e) + 1 for e in self.endings_not):
            return False
        return not self.is_cue_word(norm)


# -- reading one text ------------------------------------------------------------------------


class _TextReader:
    """The rules applied to the tokens of one text."""

    def __init__(self, vocabulary: _Vocabulary, text: str) -> None:
        self.v = vocabulary
        self.text = text
        self.tokens = vocabulary.letters.tokens(text)

    def run(self) -> list[PersonMention]:
        cued: list[_Found] = []
        after: list[_Found] = []
        for i, token in enumerate(self.tokens):
            if token.kind == WORD:
                cued += self._cued_at(i)
            if token.kind in (WORD, PUNCT, NUMBER):
                found = self._apposition_at(i)
                if found is not None:
                    after.append(found)
        return [self._mention(f) for f in _merge(cued, after)]

    # -- cues before a name ----------------------------------------------------------------

    def _cued_at(self, i: int) -> list[_Found]:
        """The names after the cue at token ``i``: by the longest cue there that finds any
        (one spelling may be two cues once folded: "walidu-hu" his father, "walidat" the
        mother of)."""
        matches = self._cues_at(i)
        if not matches or self._after_place(i) or self._inside_name(i):
            return []
        for cue, k, lead in matches:
            found = self._names_after(cue, k, lead)
            if found:
                return found
        return []

    def _names_after(self, cue: _Cue, k: int, lead: int) -> list[_Found]:
        if cue.kind in (_LIST, _LIST_COLON, _WEAK_LIST):
            if self._is(k, ":"):
                k += 1
            elif cue.kind == _LIST_COLON:
                return []
            return self._list(k, cue.role, 2 if cue.kind == _WEAK_LIST else 1)
        if cue.words[-1] in self.v.abbreviations:
            if not self._is(k, "."):
                return []
            k += 1
        kind = self.v.kinds[cue.kind]
        if lead == 0:
            return self._after_cue(k, kind, cue.role)
        found = self._name(k, lead, kind.min_words, cue.role)
        return [found] if found is not None else []

    def _after_cue(self, k: int, kind: _Kind, role: str) -> list[_Found]:
        """The name or names after a cue that ends before token ``k``."""
        start = k
        k = self._skip_descriptors(k, kind.skip)
        if kind.needs_skip and k == start:
            return []
        while k < len(self.tokens) and self.tokens[k].raw in self.v.skip_before:
            k += 1
        if kind.as_list:
            # a plural names people only as a list: two names, or one of two words or more
            items = self._list(k, role)
            return items if len(items) > 1 or any(f.last > f.first for f in items) else []
        if k > start and self._is_comma(k):
            # "the father of the child, Mustafa al-Shami, said": a name set off by commas
            between = self._name(k + 1, 0, kind.min_words, role)
            closed = between is not None and self._is_comma(between.last + 1)
            return [between] if between is not None and closed else []
        found = self._name(k, 0, kind.min_words, role)
        return [found] if found is not None else []

    def _inside_name(self, i: int) -> bool:
        """A cue word that is also a family name, after a name word (Imran al-Sheikh Muhammad)."""
        if i == 0 or self.tokens[i].norm not in self.v.inner_cues:
            return False
        before = self.tokens[i - 1]
        if before.kind != WORD or self._conjunction_lead(before.norm):
            return False  # "and the sheikh received ...": a clause begins before the cue
        return self.v.begins_name(before.norm, before.written)

    def _cues_at(self, i: int) -> list[tuple[_Cue, int, int]]:
        """The cues starting at token ``i`` (its first word may carry clitics), longest first:
        each cue, the token after it, and the letters of that token the cue took (a preposition
        written on the next word)."""
        found: list[tuple[_Cue, int, int]] = []
        for form, _ in self.v.letters.forms(self.tokens[i].norm):
            for cue in self.v.cues.get(form, ()):
                end = self._match_rest(cue.words, i)
                if end is not None:
                    found.append((cue, *end))
        return sorted(found, key=lambda m: -len(m[0].words))

    def _cue_at(self, i: int) -> tuple[_Cue, int, int] | None:
        matches = self._cues_at(i)
        return matches[0] if matches else None

    def _match_rest(self, words: tuple[str, ...], i: int) -> tuple[int, int] | None:
        k = i + 1
        for n, word in enumerate(words[1:], start=2):
            if k >= len(self.tokens):
                return None
            norm = self.tokens[k].norm
            if norm == word:
                k += 1
            elif n == len(words) and word in self.v.letters.prepositions and norm[:1] == word:
                return k, len(word)  # "wafqan li-Ahmad": the preposition written on the name
            else:
                return None
        return k, 0

    def _after_place(self, i: int) -> bool:
        """A cue word naming a place after a place word: "the Sheikh X quarter", "the Martyr X
        school"."""
        if i == 0 or self.tokens[i - 1].kind != WORD:
            return False
        return any(f in self.v.places for f, _ in self.v.letters.forms(self.tokens[i - 1].norm))

    def _skip_descriptors(self, k: int, skip: frozenset[str]) -> int:
        """Past the words between a cue and a name: "the [rights] activist Samer", "the
        director [of the civil defence office in Idlib] Samer". Only words that cannot begin a
        name are passed."""
        for _ in range(6):
            if k >= len(self.tokens) or self.tokens[k].kind != WORD:
                return k
            norm = self.tokens[k].norm
            article = self.v.letters.has_article(norm) and norm not in self.v.article_names
            chain = self._chain_word(norm) or norm in self.v.places
            # "li-baldat Hazano": the lead written on the place word
            lead = norm in self.v.leads or self._lead_on_place(norm)
            if ("article" in skip and article) or ("chain" in skip and chain):
                k += 1
            elif "leads" in skip and lead:
                k = self._skip_place(k + 1)
            else:
                return k
        return k

    def _chain_word(self, norm: str) -> bool:
        """A noun of a title or of who did it ("office", "forces"), never a given name."""
        v = self.v
        return norm in v.not_names and norm not in v.stops and norm not in v.clitic_names

    def _lead_on_place(self, norm: str) -> bool:
        forms = self.v.letters.forms(norm)[1:]
        return any(f in self.v.places and norm[:lead] in self.v.leads for f, lead in forms)

    def _skip_place(self, k: int) -> int:
        """Past a place or organisation after a lead word: place words and words with the
        article, and one bare word right after the lead or a place word ("in Idlib", "in the
        town of Kafranbel")."""
        bare_allowed = True
        while k < len(self.tokens) and self.tokens[k].kind == WORD:
            norm = self.tokens[k].norm
            if norm in self.v.places or norm in self.v.not_names:
                bare_allowed = True
            elif self.v.letters.has_article(norm) or (bare_allowed and not self.v.is_ender(norm)):
                bare_allowed = False
            else:
                break
            k += 1
        return k

    # -- the name itself -------------------------------------------------------------------

    def _name(self, k: int, lead: int, min_words: int, role: str) -> _Found | None:
        """The name starting at token ``k`` (from its ``lead``-th letter), if one is there.

        A kunya or joining word (Abu, Abd) never ends a name. After a family name with the
        article only another such name follows (Muhammad Khalid al-Ali | "details"), except
        after a family name that is also a title (Maryam al-Hajj Ali), where one bare word
        may."""
        last, pending, bare = -1, False, 2  # bare: how many bare words may follow
        for j in range(k, min(len(self.tokens), k + self.v.max_words + 2)):
            token, words = self.tokens[j], j - k
            norm = token.norm[lead:] if j == k else token.norm
            if token.kind != WORD or (words >= self.v.max_words and not pending):
                break
            if (norm in self.v.kunya or norm in self.v.joins) and self._word_follows(j):
                pending, bare = True, 2
            elif pending:
                if len(norm) < 2 or self.v.is_ender(norm, token.written):
                    break
                pending = False
            elif j == k:
                if not self.v.begins_name(norm, token.written[lead:]):
                    break
            elif not self.v.continues_name(token, words):
                break
            elif self.v.letters.has_article(norm):
                bare = 1 if norm in self.v.inner_cues else 0
            elif bare == 0:
                break
            elif bare == 1:
                bare = 0
            last = last if pending else j
        if last < 0 or last - k + 1 < min_words:
            return None
        return _Found(k, lead, last, role)

    def _word_follows(self, j: int) -> bool:
        return j + 1 < len(self.tokens) and self.tokens[j + 1].kind == WORD

    # -- lists -----------------------------------------------------------------------------

    def _list(self, k: int, role: str, min_words: int = 1) -> list[_Found]:
        """The names of a list: items separated by commas, dashes, newlines or "and"."""
        found: list[_Found] = []
        while len(found) < self.v.max_items:
            k = self._skip_filler(k)
            if k >= len(self.tokens) or self.tokens[k].kind != WORD:
                break
            k, lead = self._item_start(k)
            item = self._name(k, lead, min_words, role)
            if item is None:
                break
            found.append(item)
            k = self._skip_paren(item.last + 1)
            if k < len(self.tokens) and not self._separates(k):
                break
        return found

    def _item_start(self, k: int) -> tuple[int, int]:
        """Where the name of a list item starts: past a role or title ("and Mrs Widad"), or
        past the conjunction joined to it (wa-Ahmad)."""
        for cue, end, lead in self._cues_at(k):
            if cue.kind in ("role", "title") and not lead:
                return self._skip_descriptors(end, self.v.kinds[cue.kind].skip), 0
        return k, self._conjunction_lead(self.tokens[k].norm)

    def _skip_filler(self, k: int) -> int:
        """Past separators, item numbers ("1-"), parentheses and ages between list items."""
        while k < len(self.tokens):
            token = self.tokens[k]
            if token.raw in self.v.separators:
                k += 1
            elif self._is_number(k) and (self._next_in(k, self.v.numbering) or self._next_age(k)):
                k += 2
            elif token.raw == "(":
                k = self._skip_paren(k)
            else:
                return k
        return k

    def _skip_paren(self, k: int) -> int:
        if not self._is(k, "("):
            return k
        for j in range(k + 1, min(k + _MAX_PAREN, len(self.tokens))):
            if self.tokens[j].raw == ")":
                return j + 1
        return k

    def _separates(self, k: int) -> bool:
        token = self.tokens[k]
        if token.raw in self.v.separators:
            return True
        if self._is_number(k) and self._next_in(k, self.v.numbering):
            return True  # "1- Ali Hamada 2- Salih Hamada"
        return token.kind == WORD and self._conjunction_lead(token.norm) > 0

    def _conjunction_lead(self, norm: str) -> int:
        """1 when a word is the conjunction joined to a name (wa-Ahmad), not a name (Walid)."""
        conjunction = self.v.letters.and_prefix
        kept = norm in self.v.clitic_names or norm in self.v.whole_words
        if norm.startswith(conjunction) and not kept and len(norm) >= 3:
            return 1
        return 0

    # -- appositions after a name ----------------------------------------------------------

    def _apposition_at(self, i: int) -> _Found | None:
        """A name ending before token ``i`` when an apposition pattern starts there."""
        if i == 0 or self.tokens[i - 1].kind != WORD:
            return None
        role = self._after_pattern(i)
        if role is None:
            return None
        return self._name_before(i, role)

    def _after_pattern(self, i: int) -> str | None:
        token = self.tokens[i]
        first = _NUMBER_SLOT if self._is_number(i) else token.norm
        for pattern in self.v.after_patterns.get(first, ()):
            role = self._match_after(pattern, i)
            if role is not None:
                return role
        return None

    def _match_after(self, pattern: tuple[str, ...], i: int) -> str | None:
        role, k = self.v.after_role, i
        for slot in pattern:
            if k >= len(self.tokens):
                return None
            if slot == _ROLE_SLOT:
                matches = self._cues_at(k) if self.tokens[k].kind == WORD else []
                roles = [m for m in matches if m[0].kind in ("role", "head") and not m[2]]
                if not roles:
                    return None
                role, k = roles[0][0].role, roles[0][1]
                continue
            if slot == _NUMBER_SLOT:
                ok = self._is_number(k)
            elif slot == _AGE_SLOT:
                ok = self.tokens[k].norm in self.v.ages
            else:
                ok = self.tokens[k].norm == slot or self.tokens[k].raw == slot
            if not ok:
                return None
            k += 1
        return role

    def _name_before(self, i: int, role: str) -> _Found | None:
        """The name words right before token ``i``: none that cannot continue a name, none
        with the article first."""
        first = i
        while first > 0 and i - first < self.v.after_max:
            token = self.tokens[first - 1]
            if token.kind != WORD or not self._inner_word(token):
                break
            first -= 1
        while first < i and not self._may_begin(first):
            first += 1
        if i - first < self.v.after_min:
            return None
        return _Found(first, self._conjunction_lead(self.tokens[first].norm), i - 1, role)

    def _inner_word(self, token: _Token) -> bool:
        norm = token.norm
        return (
            norm in self.v.kunya
            or norm in self.v.joins
            or self.v.continues_name(token, 0)
            or (self._conjunction_lead(norm) == 1 and self.v.begins_name(norm[1:]))
        )

    def _may_begin(self, k: int) -> bool:
        token = self.tokens[k]
        lead = self._conjunction_lead(token.norm)
        norm = token.norm[lead:]
        return norm in self.v.kunya or self.v.begins_name(norm, token.written[lead:])

    # -- small helpers ---------------------------------------------------------------------

    def _is_comma(self, k: int) -> bool:
        return k < len(self.tokens) and self.tokens[k].raw in self.v.commas

    def _is(self, k: int, raw: str) -> bool:
        return k < len(self.tokens) and self.tokens[k].raw == raw

    def _is_number(self, k: int) -> bool:
        token = self.tokens[k]
        return token.kind == NUMBER or (token.kind == WORD and token.norm in self.v.numbers)

    def _next_in(self, k: int, raws: frozenset[str]) -> bool:
        return k + 1 < len(self.tokens) and self.tokens[k + 1].raw in raws

    def _next_age(self, k: int) -> bool:
        return k + 1 < len(self.tokens) and self.tokens[k + 1].norm in self.v.ages

    def _mention(self, found: _Found) -> PersonMention:
        first = self.tokens[found.first]
        start = first.start + self.v.letters.raw_offset(first.raw, found.lead)
        end = self.tokens[found.last].end
        written = self.text[start:end]
        for joiner in self.v.letters.joiners:
            written = written.replace(joiner, " ")
        return PersonMention(
            " ".join(written.split()), Span(start, end, self.text[start:end]), found.role
        )


def _merge(cued: list[_Found], after: list[_Found]) -> list[_Found]:
    """One name per place in the text: the longest of overlapping cued names; a name found
    only by an apposition where no cued name stands."""
    chosen: list[_Found] = []
    for found in sorted(cued, key=lambda f: (f.first, -(f.last - f.first))):
        if chosen and found.first <= chosen[-1].last:
            if found.last > chosen[-1].last and found.first == chosen[-1].first:
                chosen[-1] = found
            continue
        chosen.append(found)
    taken = [(f.first, f.last) for f in chosen]
    for found in after:
        if not any(found.first <= b and a <= found.last for a, b in taken):
            chosen.append(found)
            taken.append((found.first, found.last))
    return sorted(chosen, key=lambda f: f.first)


# -- the public reader -----------------------------------------------------------------------


class CuedPersonReader:
    """Finds the persons a text names by the cues of one language (see the module's doc)."""

    def __init__(self, data: Mapping[str, Any], code: str = "") -> None:
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise CueDataError(f"{code or 'the data'}: not cued-person data ({FORMAT})")
        try:
            self._vocabulary = _Vocabulary(data)
        except (KeyError, TypeError, ValueError, AttributeError, re.error) as exc:
            raise CueDataError(f"malformed cued-person data for {code!r}: {exc!r}") from exc
        self.code = code

    @classmethod
    def from_language(cls, code: str) -> CuedPersonReader:
        """The reader for ``code`` (built once); :class:`CueDataError` when there is none."""
        return _reader_for(code)

    @classmethod
    def from_file(cls, path: Path, code: str = "") -> CuedPersonReader:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CueDataError(f"no cued-person data for {code!r}: {exc}") from exc
        except yaml.YAMLError as exc:
            raise CueDataError(f"invalid YAML in {path}: {exc}") from exc
        return cls(data, code)

    def read(self, text: str) -> list[PersonMention]:
        """Every name the cues point to, in text order (one mention per occurrence)."""
        if not self.has_script(text):
            return []
        return _TextReader(self._vocabulary, text).run()

    def has_script(self, text: str) -> bool:
        """Whether ``text`` has any letter of this language's script (one regex search)."""
        return self._vocabulary.letters.script.search(text) is not None

    def normalise(self, text: str) -> str:
        """Words of ``text`` in their normalised forms, single-spaced (to compare names)."""
        return " ".join(t.norm for t in self._vocabulary.letters.tokens(text) if t.kind != BREAK)


@lru_cache(maxsize=8)
def _reader_for(code: str) -> CuedPersonReader:
    if not code.isalpha():
        raise CueDataError(f"no cued-person data for {code!r}")
    return CuedPersonReader.from_file(LANG_DIR / code / CUES_FILE, code)


@lru_cache(maxsize=16)
def cued_reader(code: str) -> CuedPersonReader | None:
    """The reader for ``code``, or None when that language has no cued-person data."""
    try:
        return CuedPersonReader.from_language(code)
    except CueDataError:
        return None
