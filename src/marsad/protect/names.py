"""Protected names: every form of a protected person's name found in text, and masked.

One :class:`NameMasker` is built from the protected persons and called by every output edge
(API serializers, page templates, exporters, brief renderers). It masks, for each person and
each of their aliases:

* the full name, however spaced (spaces, tabs, newlines, NBSP, hyphens, zero-width and bidi
  controls between or inside the parts), in any case;
* any two or more adjacent parts of one name, in any order ("Qassem Huda" too);
* the surname (the last part) alone, when it has at least three letters;
* any part after a title ("Dr Huda", "Sheikh Omar"; the title stays visible) or after a kunya
  word ("Abu Omar", "Umm Huda", "أبو عمر"; the kunya word is masked with it);
* the article forms of a part (al-Hasan, el Hasan, alHasan, as-Sayyid, Hasan alone);
* transliteration variants (Qassem/Qasem/Kassem/Qasim, Huda/Houda/Hoda, Mohammed/Muhammad),
  made by the rules in ``name_forms.yaml``. A variant found in a lower-case word (not the name's
  own spelling) only counts next to another part, a title or a kunya word: names are written
  with a capital, and this keeps ordinary words ("nor" for Nour) visible;
* Arabic forms after normalisation (alef forms, ى, ة, ؤ, ئ, tatweel, diacritics, presentation
  forms), with a clitic prefix (و ف ب ل ك ال وال بال لل فال كال), the whole word masked;
* next to another part of the name, or after a title or kunya word, a spelling with one vowel
  added or dropped (Trabishi/Tarabishi, Jaberi/Jabri, Fatmeh/Fatima, Mhammad/Mohammed).

Out of reach (documented, tested as such): a vowel added or dropped in a word standing alone
(Fatmeh alone), a plural or other suffix on a Latin name ("the Qassems"), and a name written as
one word without a separator ("HudaQassem").

Every matched character becomes one :data:`MASK`, so character offsets (evidence spans) stay
valid. All word lists and spelling rules are in ``name_forms.yaml``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

MASK = "\u2588"  # one block per masked character, so character offsets stay valid

FORMS_FILE = Path(__file__).resolve().parent / "name_forms.yaml"

# what a token is to a name, besides being a part of one (bit flags)
TITLE, KUNYA, CONNECTOR, ARTICLE = 1, 2, 4, 8
# how a token matched a part of a person's name (bit flags)
STRONG = 1  # the name's own spelling, or a variant written with a capital
SURNAME = 2  # the last part of a name form: masked alone
SPELLED = 4  # matched with its vowels (not by its consonants alone)
_PART_SHIFT = 3  # higher bits: which parts of the person's name the token matched
_MAX_PARTS = 28
_MIN_SURNAME_LETTERS = 3
_CACHE_LIMIT = 200_000  # distinct tokens remembered per masker before the cache starts over
_UNKNOWN = object()


@dataclass(frozen=True)
class ProtectedName:
    name: str
    aliases: tuple[str, ...] = ()


# -- spelling rules (from name_forms.yaml) ---------------------------------------------------


class Spelling:
    """The normalised and folded forms of a token or name part, by the rules of the YAML file."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        chars, arabic, latin = data["characters"], data["arabic"], data["latin"]
        self.max_gap = int(chars["max_gap"])
        # letters with the marks after them, joined by apostrophes and format controls
        word = rf"[^\W\d_]+(?:[{chars['marks']}]+[^\W\d_]*)*"
        join = rf"[{chars['format_controls']}{chars['apostrophes']}]"
        self.token = re.compile(rf"{word}(?:{join}+{word})*")
        self.format_controls = re.compile(rf"[{chars['format_controls']}]+")
        space = rf"[\s{chars['format_controls']}{chars['dashes']}]"
        self.gap = re.compile(rf"{space}{{0,{self.max_gap}}}")
        self.title_gap = re.compile(rf"\.?{space}{{0,{self.max_gap}}}")
        self.dash = re.compile(rf"[{chars['dashes']}]")
        self.possessive = re.compile(rf"[{chars['apostrophes']}]{latin['possessive']}$")
        self.arabic_letter = re.compile(rf"[{arabic['letters']}]")
        removed = re.findall(r".", _expand_ranges(chars["format_controls"] + chars["apostrophes"]))
        table: dict[str, str | None] = {c: None for c in removed}
        table.update({k: (v or None) for k, v in arabic["fold"].items()})
        self.table = str.maketrans(table)
        self.arabic_article = str(arabic["article"])
        self.clitics = tuple(sorted(arabic["clitics"], key=len, reverse=True))
        letters = [(str(pattern), str(result)) for pattern, result in latin["letters"]]
        self.steps = [_step(pattern, result) for pattern, result in letters]
        self.doubled = re.compile(r"(.)\1+")
        symbols = {c for _, result in letters for c in result if c.isupper()}
        self.to_key = str.maketrans({s: "V" for s in symbols})
        self.same_vowel = {(a, b) for a, b in latin["same_vowel"]}
        self.same_vowel |= {(b, a) for a, b in self.same_vowel}
        self.final_h_after = str(latin["optional_final_h_after"])
        self.alternatives = [(str(a), str(b)) for a, b in latin["alternatives"]]
        drops = {c: None for c in symbols | set(latin["skeleton_drops"])}
        self.to_skeleton = str.maketrans(drops)
        self.skeleton_min = int(latin["skeleton_min_consonants"])
        self.min_same_vowels = int(latin["min_same_vowels"])

    def literal(self, raw: str) -> str:
        """Case, accents, marks, apostrophes, format controls and Arabic letter forms folded."""
        if raw.isascii():  # most tokens: no accents, marks or format controls to remove
            text = raw.lower()
            return self.possessive.sub("", text).translate(self.table) if "'" in text else text
        text = unicodedata.normalize("NFKD", raw.casefold())
        text = self.possessive.sub("", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
        return text.translate(self.table)

    def is_arabic(self, literal: str) -> bool:
        return not literal.isascii() and self.arabic_letter.search(literal) is not None

    def variants(self, literal: str) -> tuple[str, ...]:
        """A Latin literal and its other readings: without the h of a final -ah/-eh, and with
        each ambiguous letter group read the other way."""
        out = [literal]
        if len(literal) > 3 and literal[-1] == "h" and literal[-2] in self.final_h_after:
            out.append(literal[:-1])
        for group, other in self.alternatives:
            out += [v.replace(group, other) for v in out if group in v]
        return tuple(out)

    def fold_many(self, literals: list[str]) -> list[str]:
        """The transliteration-folded form of each Latin literal. All are folded at once, as
        the lines of one text (each rule runs once over all of them), which is what makes a
        text with many new words cheap."""
        if not literals:
            return []
        text = "\n" + "\n".join(literals)  # every literal starts after a newline, even the first
        for step in self.steps:
            text = step(text)
        return self.doubled.sub(r"\1", text).split("\n")[1:]

    def keys_many(self, literals: list[str]) -> tuple[list[str], list[str]]:
        """The key and the skeleton of the folded form of each literal, all at once."""
        if not literals:
            return [], []
        folded = "\n".join(self.fold_many(literals))
        keys = folded.translate(self.to_key).split("\n")
        return keys, self.doubled.sub(r"\1", folded.translate(self.to_skeleton)).split("\n")

    def one_vowel_apart(self, a: str, b: str) -> bool:
        """Whether two folded forms differ by one vowel added or dropped, the other vowels
        standing for each other (Jaberi/Jabri, Fatmeh/Fatima; not Mohamed/Mahmoud)."""
        if abs(len(a) - len(b)) != 1:
            return False
        longer, shorter = (a, b) if len(a) > len(b) else (b, a)
        key = self.key(shorter)
        for i, c in enumerate(longer):
            if c.isupper():
                dropped = longer[:i] + longer[i + 1 :]
                if self.key(dropped) == key and self.vowels_agree(dropped, shorter):
                    return True
        return False

    def skeleton(self, folded: str) -> str:
        """The consonants of a folded form (vowels, y and w left out), doubled ones once."""
        return self.doubled.sub(r"\1", folded.translate(self.to_skeleton))

    def key(self, folded: str) -> str:
        """A folded form with every vowel as V: candidates share it, vowels are checked after."""
        return folded.translate(self.to_key)

    def vowels_agree(self, a: str, b: str) -> bool:
        """Whether two folded forms with one key differ only in vowels that may stand for each
        other (Ahmed/Ahmad yes, Omar/amor no), with at least one vowel the same (so that the
        e of "Here" does not stand for both vowels of Khoury)."""
        same = 0
        for x, y in zip(a, b, strict=True):
            if x == y:
                same += x.isupper()
            elif (x, y) not in self.same_vowel:
                return False
        return same >= self.min_same_vowels or a == b

    def arabic_cores(self, literal: str) -> tuple[str, ...]:
        """An Arabic literal and, for a part written with the article, the part without it."""
        art = self.arabic_article
        if literal.startswith(art) and len(literal) - len(art) >= 2:
            return (literal, literal[len(art) :])
        return (literal,)


def _step(pattern: str, result: str) -> Callable[[str], str]:
    """One spelling rule as a function on the lines of a text (``^``/``$``: a line's ends).
    Alternatives of plain letter groups run as string replacements, in their order."""
    if re.fullmatch(r"[a-z]+(?:\|[a-z]+)*", pattern):
        groups = pattern.split("|")

        def replace(text: str) -> str:
            for group in groups:
                text = text.replace(group, result)
            return text

        return replace
    letters = re.fullmatch(r"\[([a-z]+)\]", pattern)
    if letters and len(result) == 1:
        table = str.maketrans(letters.group(1), result * len(letters.group(1)))
        return lambda text: text.translate(table)
    compiled = re.compile(pattern, re.MULTILINE)
    return lambda text: compiled.sub(result, text)


def _expand_ranges(chars: str) -> str:
    """``a-z`` style ranges of a character class written out (the YAML keeps them short)."""
    return re.sub(
        r"(.)-(.)",
        lambda m: "".join(chr(c) for c in range(ord(m.group(1)), ord(m.group(2)) + 1)),
        chars.replace("\\-", "-"),
    )


@dataclass(frozen=True)
class Words:
    """The function words of names: titles, kunya words, connectors, articles."""

    titles: frozenset[str]
    kunya: frozenset[str]
    connectors: frozenset[str]
    articles: Mapping[str, str]  # article -> what the next part must start with ("" any)
    examples: tuple[tuple[str, str], ...]

    @property
    def all(self) -> frozenset[str]:
        return self.titles | self.kunya | self.connectors | frozenset(self.articles)


@lru_cache(maxsize=1)
def _rules() -> tuple[Spelling, Words]:
    data = yaml.safe_load(FORMS_FILE.read_text(encoding="utf-8"))
    spelling = Spelling(data)

    def norm(words: Iterable[str]) -> frozenset[str]:
        return frozenset(spelling.literal(str(w)) for w in words)

    words = Words(
        titles=norm(data["titles"]),
        kunya=norm(data["kunya"]),
        connectors=norm(data["connectors"]),
        articles={spelling.literal(k): str(v or "") for k, v in data["articles"].items()},
        examples=tuple((str(a), str(b)) for a, b in data["example_spellings"]),
    )
    return spelling, words


# -- the names' index ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Part:
    literal: str
    surname: bool


class _NameIndex:
    """Every part of every protected name: by normalised spelling, and by folded key."""

    def __init__(self, spelling: Spelling, words: Words) -> None:
        self.spelling = spelling
        self.words = words
        self.literal: dict[str, dict[int, int]] = {}
        self.fuzzy: dict[str, dict[str, dict[int, int]]] = {}
        # by consonants: forms one vowel apart from a name part's, matched next to the name only
        self.skeletons: dict[str, dict[str, dict[int, int]]] = {}
        self.longest = 0

    def build(self, persons: Iterable[ProtectedName | str]) -> None:
        latin: list[tuple[str, int, int]] = []  # literal, person, flags: folded all at once
        for number, person in enumerate(persons):
            if isinstance(person, str):
                person = ProtectedName(person)
            part_ids: dict[str, int] = {}  # one bit per distinct part of this person's names
            for form in (person.name, *person.aliases):
                for part in self.parts(str(form or "")):
                    part_id = min(part_ids.setdefault(part.literal, len(part_ids)), _MAX_PARTS)
                    flags = STRONG | SPELLED | (1 << (_PART_SHIFT + part_id))
                    flags |= SURNAME if part.surname else 0
                    arabic = self.spelling.is_arabic(part.literal)
                    cores = self.spelling.arabic_cores(part.literal) if arabic else (part.literal,)
                    for core in cores:
                        _merge(self.literal.setdefault(core, {}), number, flags)
                        self.longest = max(self.longest, len(core))
                    if not arabic:
                        latin += [(v, number, flags) for v in self.spelling.variants(part.literal)]
        folded = self.spelling.fold_many([lit for lit, _, _ in latin])
        for (_, number, flags), form in zip(latin, folded, strict=True):
            bucket = self.fuzzy.setdefault(self.spelling.key(form), {})
            _merge(bucket.setdefault(form, {}), number, flags)
            skeleton = self.spelling.skeleton(form)
            if len(skeleton) >= self.spelling.skeleton_min:
                parts_only = flags & ~(STRONG | SURNAME | SPELLED)
                bucket = self.skeletons.setdefault(skeleton, {})
                _merge(bucket.setdefault(form, {}), number, parts_only)

    def parts(self, form: str) -> list[_Part]:
        """The name parts of one written form: leading titles, kunya words, articles and
        connectors left out; the last part is the surname unless it follows a kunya word or is
        too short to be masked alone."""
        literals: list[tuple[str, bool]] = []
        after_kunya = False
        for raw in _split_camel_article(self.spelling, self.words, form):
            lit = self.spelling.literal(raw)
            if not lit or (
                not literals and not after_kunya and _is_title(self.spelling, self.words, lit)
            ):
                continue
            if lit in self.words.kunya:
                after_kunya = True
            elif lit not in self.words.articles and lit not in self.words.connectors:
                literals.append((lit, after_kunya))
                after_kunya = False
        parts = []
        for i, (lit, kunya_before) in enumerate(literals):
            core = self.spelling.arabic_cores(lit)[-1]
            last = i == len(literals) - 1
            parts.append(_Part(lit, last and not kunya_before and _letters(core) >= 3))
        return parts


def _is_title(spelling: Spelling, words: Words, literal: str) -> bool:
    """A title, also with an Arabic clitic (الشيخ, والدكتور)."""
    return literal in words.titles or any(
        literal.startswith(c) and literal[len(c) :] in words.titles for c in spelling.clitics
    )


def _split_camel_article(spelling: Spelling, words: Words, form: str) -> Iterator[str]:
    """The tokens of a written name, a joined article written in camel case split off
    ("AlHasan" -> "Al", "Hasan"); "Alan" or "Elham" stay whole."""
    for m in spelling.token.finditer(form):
        raw = m.group()
        head = next((a for a in words.articles if raw[: len(a)].casefold() == a), None)
        rest = raw[len(head) :] if head else ""
        if head and len(rest) >= _MIN_SURNAME_LETTERS and rest[0].isupper() and raw[0].isupper():
            yield raw[: len(head)]
            yield rest
        else:
            yield raw


def _merge(target: dict[int, int], person: int, flags: int) -> None:
    target[person] = target.get(person, 0) | flags


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


# -- tokens of text --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Info:
    """What one token of text is to the protected names."""

    hits: Mapping[int, int]  # person -> STRONG / SURNAME / SPELLED flags and part bits
    role: int  # TITLE / KUNYA / CONNECTOR / ARTICLE flags
    literal: str


@dataclass(frozen=True, slots=True)
class _Pieces:
    """A token that only matches split at its format controls ("Huda\\u200bQassem")."""

    pieces: tuple[tuple[int, int, _Info], ...]  # offsets relative to the token


@dataclass(frozen=True, slots=True)
class _Tok:
    start: int
    end: int
    info: _Info


class _Classifier:
    """Tokens -> :class:`_Info` (or None: nothing to do with any name), cached per token."""

    def __init__(self, index: _NameIndex) -> None:
        self.index = index
        self.spelling = index.spelling
        self.words = index.words
        self.max_len = index.longest + 12  # article, clitic, possessive, marks
        self.cache: dict[str, _Info | _Pieces | None] = {}
        self.function_words = self.words.all
        self.plain = re.compile(rf"[A-Za-z]{{1,{self.max_len}}}").fullmatch
        self.article_heads: dict[str, list[tuple[str, str]]] = {}
        for art, needs in self.words.articles.items():
            self.article_heads.setdefault(art[:2], []).append((art, needs))

    def classify(self, raws: Iterable[str]) -> dict[str, _Info | _Pieces | None]:
        """What each distinct token is. The result is this call's own (the shared cache may be
        cleared by another thread meanwhile); new tokens are classified together."""
        out = dict.fromkeys(raws)
        cache = self.cache
        new = [raw for raw in out if raw not in cache]
        if len(cache) + len(new) > _CACHE_LIMIT:
            cache.clear()
            new = list(out)
        if new:
            cache.update(self._classify_new(new))
        for raw in out:
            found = cache.get(raw, _UNKNOWN)
            out[raw] = self._classify_new([raw])[raw] if found is _UNKNOWN else found
        return out

    def _classify_new(self, raws: list[str]) -> dict[str, _Info | _Pieces | None]:
        spelling = self.spelling
        literal, plain, longest = spelling.literal, self.plain, self.max_len
        # (most words are plain lower-case ASCII: their literal is themselves, lower-cased)
        lits = [
            raw.lower() if plain(raw) else literal(raw) if len(raw) <= longest else ""
            for raw in raws
        ]
        candidates = self._candidates(lits)
        folded = self._folded([lits[i] for i in candidates])
        out: dict[str, _Info | _Pieces | None] = {}
        for i, raw in enumerate(raws):
            found: _Info | _Pieces | None = None
            if i in candidates:
                found = self._whole(raw, lits[i], folded)
            if found is None and not raw.isascii() and spelling.format_controls.search(raw):
                found = self._pieces(raw)
            out[raw] = found
        return out

    def _candidates(self, lits: list[str]) -> set[int]:
        """Which literals may have anything to do with a name: a cheap test on all of them at
        once (one fold of all), so that ordinary words cost little even when all are new."""
        spelling = self.spelling
        latin = [i for i, lit in enumerate(lits) if lit and not spelling.is_arabic(lit)]
        keys, skeletons = spelling.keys_many([lits[i] for i in latin])
        exact, fuzzy, heads, words = (
            self.index.literal,
            self.index.fuzzy,
            self.article_heads,
            self.function_words,
        )
        found = {i for i, lit in enumerate(lits) if lit} - set(latin)  # Arabic: all candidates
        bones = self.index.skeletons
        for i, key, skeleton in zip(latin, keys, skeletons, strict=True):
            lit = lits[i]
            if (
                key in fuzzy
                or lit in exact
                or lit in words
                or lit[:2] in heads
                or skeleton in bones
            ):
                found.add(i)
            elif len(spelling.variants(lit)) > 1:
                found.add(i)  # its other readings are looked up too
        return found

    def _folded(self, literals: Iterable[str]) -> dict[str, str]:
        """Folded forms of every Latin literal (and article-less rest) that has no exact match."""
        need: set[str] = set()
        exact = self.index.literal
        for lit in literals:
            if not lit or lit in exact or self.spelling.is_arabic(lit):
                continue
            need.update(self.spelling.variants(lit))
            for rest in self._rests(lit):
                if rest not in exact:
                    need.update(self.spelling.variants(rest))
        ordered = list(need)
        return dict(zip(ordered, self.spelling.fold_many(ordered), strict=True))

    def _rests(self, lit: str) -> Iterator[str]:
        """What follows a joined article (alHasan, assayyid), if it is long enough."""
        for art, needs in self.article_heads.get(lit[:2], ()):
            rest = lit[len(art) :]
            if lit.startswith(art) and len(rest) >= _MIN_SURNAME_LETTERS and rest.startswith(needs):
                yield rest

    def _pieces(self, raw: str) -> _Pieces | None:
        subs = list(self.spelling.token.finditer(self.spelling.format_controls.sub(" ", raw)))
        found = self.classify(m.group() for m in subs)
        out = [(m.start(), m.end(), found[m.group()]) for m in subs]
        pieces = tuple((s, e, info) for s, e, info in out if isinstance(info, _Info))
        return _Pieces(pieces) if pieces else None

    def _whole(self, raw: str, lit: str, folded: Mapping[str, str]) -> _Info | None:
        if not lit:
            return None
        if self.spelling.is_arabic(lit):
            hits = self._arabic_hits(lit)
        else:
            capital = _capitalised(raw)
            hits = self._latin_hits(lit, capital, folded)
            for rest in self._rests(lit) if not hits else ():
                hits = hits or self._latin_hits(rest, capital, folded)
        role = self._role(lit)
        if not hits and not role:
            return None
        return _Info(hits, role, lit)

    def _latin_hits(self, lit: str, capital: bool, folded: Mapping[str, str]) -> dict[int, int]:
        exact = self.index.literal.get(lit)
        if exact:
            return dict(exact)
        hits: dict[int, int] = {}
        for variant in self.spelling.variants(lit):
            form = folded.get(variant) or self.spelling.fold_many([variant])[0]
            for candidate, persons in self.index.fuzzy.get(self.spelling.key(form), {}).items():
                if self.spelling.vowels_agree(form, candidate):
                    for person, flags in persons.items():
                        _merge(hits, person, flags if capital else flags & ~STRONG)
        for variant in self.spelling.variants(lit) if not hits else ():
            form = folded.get(variant) or self.spelling.fold_many([variant])[0]
            bucket = self.index.skeletons.get(self.spelling.skeleton(form), {})
            for candidate, persons in bucket.items():
                if self.spelling.one_vowel_apart(form, candidate):
                    for person, flags in persons.items():
                        _merge(hits, person, flags)
        return hits

    def _arabic_hits(self, lit: str) -> dict[int, int]:
        exact = self.index.literal.get(lit)
        if exact:
            return dict(exact)
        for clitic in self.spelling.clitics:
            if lit.startswith(clitic) and len(lit) - len(clitic) >= 2:
                found = self.index.literal.get(lit[len(clitic) :])
                if found:
                    return dict(found)
        return {}

    def _role(self, lit: str) -> int:
        role = 0
        forms = [lit]
        if self.spelling.is_arabic(lit):
            forms += [lit[len(c) :] for c in self.spelling.clitics if lit.startswith(c)]
        for form in forms:
            role |= TITLE if form in self.words.titles else 0
            role |= KUNYA if form in self.words.kunya else 0
            role |= CONNECTOR if form in self.words.connectors else 0
        role |= ARTICLE if lit in self.words.articles else 0
        return role


def _capitalised(raw: str) -> bool:
    """Whether a token starts with a capital (or is in a script without case)."""
    for c in raw:
        if c.isupper():
            return True
        if c.islower():
            return False
    return True


# -- the masker ------------------------------------------------------------------------------


# short texts whose masked form a masker keeps, and how many at most
_CACHED_TEXT_CHARS = 200
_CACHED_TEXTS = 50_000


class NameMasker:
    """Finds and masks every form of the given protected names; built once, used everywhere."""

    def __init__(self, persons: Iterable[ProtectedName | str]) -> None:
        spelling, words = _rules()
        self._spelling = spelling
        self._words = words
        named = [ProtectedName(p) if isinstance(p, str) else p for p in persons]
        index = _NameIndex(spelling, words)
        index.build(named)
        self._index = index
        self._classifier = _Classifier(index)
        self._glued = _glued_forms(index, named)
        self._masked: dict[str, str] = {}

    def __bool__(self) -> bool:
        return bool(self._index.literal)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Sorted, non-overlapping ``[start, end)`` spans of every protected name in ``text``."""
        if not self._index.literal or not text:
            return []
        glued = self._glued_spans(text)
        toks = self._tokens(text)
        if not any(t.info.hits for t in toks):
            return glued
        found = _Decision(self._spelling, self._words, text, toks).spans()
        return _merged(found, glued) if glued else found

    def _glued_spans(self, text: str) -> list[tuple[int, int]]:
        """A name written as one word, as in a link or a file name ("people/mazenmallah")."""
        if not self._glued:
            return []
        literal = self._spelling.literal
        return [
            (m.start(), m.end())
            for m in self._spelling.token.finditer(text)
            if literal(m.group()) in self._glued
        ]

    def found(self, text: str) -> list[str]:
        """The text of every span found (to tell an analyst what still names someone)."""
        return [text[s:e] for s, e in self.spans(text)]

    def mask(self, text: str | None) -> str:
        """``text`` with each found span replaced by one MASK per character; None -> ''."""
        if not text:
            return ""
        if len(text) <= _CACHED_TEXT_CHARS:
            # short strings repeat across responses (types, places, actors, grades): a masker
            # lives as long as the persons table is unchanged, so each is masked once
            cached = self._masked.get(text)
            if cached is None:
                if len(self._masked) >= _CACHED_TEXTS:
                    self._masked.clear()
                cached = self._masked[text] = self._mask(text)
            return cached
        return self._mask(text)

    def _mask(self, text: str) -> str:
        out, last = [], 0
        for start, end in self.spans(text):
            out += [text[last:start], MASK * (end - start)]
            last = end
        out.append(text[last:])
        return "".join(out)

    def mask_value(self, value: Any) -> Any:
        """``value`` with every string in it masked: str, list/tuple items, dict values."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, list | tuple):
            items = [self.mask_value(v) for v in value]
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, dict):
            return {k: self.mask_value(v) for k, v in value.items()}
        return value

    def _tokens(self, text: str) -> list[_Tok]:
        """The tokens of ``text`` that have anything to do with a protected name."""
        token = self._spelling.token
        found = self._classifier.classify(token.findall(text))
        if not any(isinstance(f, _Pieces) or (f is not None and f.hits) for f in found.values()):
            return []  # titles, articles... but no name: nothing to mask
        out: list[_Tok] = []
        for m in token.finditer(text):
            info = found[m.group()]
            if info is None:
                continue
            if isinstance(info, _Info):
                out.append(_Tok(m.start(), m.end(), info))
            else:
                base = m.start()
                out += [_Tok(base + s, base + e, piece) for s, e, piece in info.pieces]
        return out


def _two_parts(a: int, b: int) -> bool:
    """Whether two neighbouring tokens can be two parts of one name: different parts ("Omar
    Omar" is not), at least one of them matched with its vowels, not both by consonants only."""
    x, y = a >> _PART_SHIFT, b >> _PART_SHIFT
    different = x != y or (x & (x - 1)) != 0
    return different and bool((a | b) & SPELLED)


class _Decision:
    """Which of the name-related tokens of one text are masked, and the spans they make."""

    def __init__(self, spelling: Spelling, words: Words, text: str, toks: list[_Tok]) -> None:
        self.words = words
        self.toks = toks
        self.gaps = [text[a.end : b.start] for a, b in zip(toks, toks[1:], strict=False)]
        self.linked = [
            (spelling.title_gap if a.info.role & TITLE else spelling.gap).fullmatch(gap) is not None
            for a, gap in zip(toks, self.gaps, strict=False)
        ]
        self.dash = spelling.dash
        self.masked = [False] * len(toks)

    def spans(self) -> list[tuple[int, int]]:
        for k, tok in enumerate(self.toks):
            if tok.info.hits and self._part_masked(k):
                self.masked[k] = True
        for k in range(len(self.toks) - 1, -1, -1):
            if not self.masked[k] and self._function_word_masked(k):
                self.masked[k] = True
        return self._runs()

    def _part_masked(self, k: int) -> bool:
        hits = self.toks[k].info.hits
        if any(f & STRONG and f & SURNAME for f in hits.values()):
            return True
        j = k - 1
        while j >= 0 and self.linked[j] and self.toks[j].info.role & ARTICLE:
            j -= 1  # "Abu al-Hasan", "Sheikh al-Omar"
        if j >= 0 and self.linked[j] and self.toks[j].info.role & (TITLE | KUNYA):
            return True
        for other in (self._neighbour_part(k, -1), self._neighbour_part(k, 1)):
            if other is None:
                continue
            theirs = self.toks[other].info.hits
            if any(_two_parts(hits[p], theirs[p]) for p in hits.keys() & theirs.keys()):
                return True
        return False

    def _neighbour_part(self, k: int, step: int) -> int | None:
        """The nearest linked token before/after ``k`` that is a name part, skipping articles,
        connectors and kunya words between them."""
        j = k
        while True:
            link = j - 1 if step < 0 else j
            j += step
            if j < 0 or j >= len(self.toks) or not self.linked[link]:
                return None
            info = self.toks[j].info
            if info.hits:
                return j
            if not info.role & (ARTICLE | CONNECTOR | KUNYA):
                return None

    def _function_word_masked(self, k: int) -> bool:
        """A kunya word or article right before a masked part, a connector between two."""
        role = self.toks[k].info.role
        after = k + 1 < len(self.toks) and self.linked[k] and self.masked[k + 1]
        if not after:
            return False
        if role & KUNYA:
            return True
        if role & ARTICLE:
            needs = self.words.articles.get(self.toks[k].info.literal, "")
            nxt = self.toks[k + 1].info.literal
            return nxt.startswith(needs) or self.dash.search(self.gaps[k]) is not None
        before = k > 0 and self.linked[k - 1] and self.masked[k - 1]
        return bool(role & CONNECTOR) and before

    def _runs(self) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for k, tok in enumerate(self.toks):
            if not self.masked[k]:
                continue
            if out and k > 0 and self.masked[k - 1] and self.linked[k - 1]:
                out[-1] = (out[-1][0], tok.end)
            else:
                out.append((tok.start, tok.end))
        return out


# -- keys and documentation ------------------------------------------------------------------


def canonical_name(name: str) -> str:
    """The normalised form of a name used to find a person again (dedupe): case, accents,
    spacing, hyphens, apostrophes, zero-width characters, Arabic letter forms and leading titles
    folded. Transliteration variants are deliberately kept apart (Hasan and Hassan may be two
    people); the masker, not this key, is tolerant."""
    spelling, words = _rules()
    literals = [spelling.literal(m.group()) for m in spelling.token.finditer(name)]
    literals = [lit for lit in literals if lit]
    while len(literals) > 1 and _is_title(spelling, words, literals[0]):
        literals.pop(0)
    return " ".join(literals)


# a name glued into one word is masked only when it is at least this long: short glued pairs
# ("Ali Omar" -> "aliomar") are too likely to be some other word
_MIN_GLUED_CHARS = 8


def _glued_forms(index: _NameIndex, persons: Iterable[ProtectedName]) -> frozenset[str]:
    """The literal of each protected name's parts written together without a space."""
    out = set()
    for person in persons:
        for form in (person.name, *person.aliases):
            parts = [p.literal for p in index.parts(str(form or ""))]
            glued = "".join(parts)
            if len(parts) >= 2 and len(glued) >= _MIN_GLUED_CHARS:
                out.add(glued)
    return frozenset(out)


def _merged(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Two sorted span lists as one, overlapping spans joined."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(a + b):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def name_forms_of(name: str) -> list[str]:
    """Forms of ``name`` that the masker masks, for documentation, the UI and tests: the name,
    its parts in the masked contexts, article and kunya forms and spelling variants. Each form
    listed was checked against a masker for this name alone."""
    spelling, words = _rules()
    masker = NameMasker([name])
    parts = [m.group() for m in spelling.token.finditer(name)]
    candidates = [name, " ".join(parts)]
    arabic = spelling.is_arabic(name)
    for part in parts:
        lit = spelling.literal(part)
        if lit in words.articles or lit in words.titles or lit in words.connectors:
            continue
        candidates.append(part)
        if arabic:
            candidates += [f"أبو {part}", f"أم {part}", f"و{part}", f"الشيخ {part}"]
        else:
            candidates += [f"al-{part}", f"el {part}", f"Abu {part}", f"Umm {part}"]
            candidates += [f"Dr {part}", f"Sheikh {part}", f"Ms. {part}"]
    lowered = name.casefold()
    for old, new in words.examples:
        for m in re.finditer(re.escape(old), lowered):
            variant = lowered[: m.start()] + new + lowered[m.end() :]
            candidates.append(variant.title() if not arabic else variant)
    return [c for c in dict.fromkeys(candidates) if _wholly_masked(masker, spelling, words, c)]


def _wholly_masked(masker: NameMasker, spelling: Spelling, words: Words, text: str) -> bool:
    left = [spelling.literal(m.group()) for m in spelling.token.finditer(masker.mask(text))]
    return bool(masker.spans(text)) and all(lit in words.titles for lit in left)
