"""Tokens and sentences: one regex pass over the text, offsets kept for evidence spans.

Tokens are held in parallel lists (not one object per token) because the engine touches every
token and attribute access on lists is the cheapest thing Python offers. A token's *key* is what
lexicon lookups use: lower-cased, apostrophes dropped, an attached clitic of the writing system
removed (English: the possessive), dots removed from abbreviations ("U.S." -> "us"). Hyphens
between word characters are *joiners*: the matcher steps over them, so "air-strike" reads as
"air strike" and "twenty-two" as "twenty two". What a digit is, which clitics attach and whether
capitals mean anything come from the pack's writing system (``lang/<code>/writing.yaml``).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, repeat
from operator import contains, eq, is_, itemgetter

from marsad.lang import WritingSystem, load_language_pack

# Kinds of token.
WORD = 0
NUM = 1
PUNCT = 2
ISO_DATE = 3
SLASH_DATE = 4
JOINER = 5

# Ordered by frequency: ASCII words first (the guard hands words with other letters to the
# general branch), then any-script words, then everything starting with a digit (dates, figures).
# ``{word}`` is the any-script word: letters, and the marks a writing system writes inside words
# (see _word_pattern).
_TOKEN_PATTERN = (
    r"[a-z]+(?:['’][a-z]+)*(?![^\W\d_])"
    r"|{word}(?:['’]{word})*"
    r"|\d(?:\d{{3}}-\d{{1,2}}-\d{{1,2}}(?!\d)"  # 2023-10-05
    r"|\d?/\d{{1,2}}/\d{{2,4}}(?!\d)"  # 5/10/2023
    r"|\d{{0,14}}(?:[.,]\d{{1,3}}(?!\d))*)"  # 25,000 or 3.5 (at most 15 digits a run)
    r"|[^\w\s]"  # any other visible character
)


def _word_pattern(marks: str) -> str:
    """A word of any script: a letter, then letters and the script's in-word marks (vowel
    signs are no letters to a regex, and would otherwise cut a word in pieces)."""
    if not marks:
        return r"[^\W\d_]+"
    return rf"[^\W\d_](?:[^\W\d_]|[{marks}])*"


@lru_cache(maxsize=8)
def _split_re(marks: str) -> re.Pattern[str]:
    # Splitting on one capturing group gives [gap, token, gap, token, ..., gap] in C; offsets
    # then come from running sums of the pieces' lengths, so no Python code runs per token.
    return re.compile("(" + _TOKEN_PATTERN.format(word=_word_pattern(marks)) + ")")


_APOSTROPHES = str.maketrans("", "", "'’‘`.")
_HYPHENS = frozenset("-‐‑")
_PUNCT_KINDS: dict[str, int] = {c: PUNCT for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~"}
_PUNCT_KINDS.update({c: PUNCT for c in "–—‐‑‘’“”«»…•·¡¿§¶†‡′″،؛؟٪"})
_ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class _Script:
    """What the tokenizer takes from a writing system, in the form its hot loop wants."""

    kind_of_first: dict[str, int]  # the kind of a token by its first character (common ones)
    digits: frozenset[str]
    clitic_suffixes: tuple[str, ...]
    cased: bool
    split_re: re.Pattern[str]
    # key normalisation of words with letters outside ASCII (None: keys are lower case only)
    normal: _Normaliser | None
    digit_values: dict[int, int]  # non-ASCII digits to ASCII ones, for number keys


_KEY_CACHE: dict[tuple[object, str], str] = {}
_KEY_CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True, eq=False)
class _Normaliser:
    """A word's key from the writing system's rules: normal form, marks out, letters folded,
    the attached article dropped."""

    compose: bool  # compatibility forms composed (NFKC)
    marks: re.Pattern[str] | None
    folds: dict[int, str]
    article: str
    article_kept_in: frozenset[str]
    endings: tuple[str, ...] = ()

    def plain(self, word: str) -> str:
        """``word`` in its normal form, marks out and letters folded (the article kept)."""
        if self.compose:
            word = unicodedata.normalize("NFKC", word)
        if self.marks is not None:
            word = self.marks.sub("", word)
        return word.translate(self.folds)

    def key(self, word: str) -> str:
        # the same few thousand words recur in every report: each is normalised once
        found = _KEY_CACHE.get((self, word))
        if found is None:
            if len(_KEY_CACHE) > _KEY_CACHE_LIMIT:
                _KEY_CACHE.clear()
            found = _KEY_CACHE[(self, word)] = self._key(word)
        return found

    def _key(self, word: str) -> str:
        for ending in self.endings:
            if word.endswith(ending) and len(word) > len(ending) + 1:
                word = word[: -len(ending)]
                break
        word = self.plain(word)
        article = self.article
        if (
            article
            and word.startswith(article)
            and len(word) >= len(article) + 2
            and word not in self.article_kept_in
        ):
            word = word[len(article) :]
        return word


@lru_cache(maxsize=8)
def _script(writing: WritingSystem) -> _Script:
    table = {c: NUM for c in writing.digits}
    table.update(_PUNCT_KINDS)
    table.update({c: WORD for c in _ASCII_LETTERS})
    normal = None
    if writing.normalises_keys:
        normal = _Normaliser(
            writing.compatibility_forms,
            re.compile(f"[{writing.marks}]") if writing.marks else None,
            str.maketrans(dict(writing.folds)),
            writing.attached_article,
            frozenset(),
        )
        normal = dataclasses.replace(
            normal,
            article_kept_in=frozenset(map(normal.plain, writing.article_kept_in)),
            endings=writing.dropped_endings,
        )
    digit_values = {
        ord(c): ord("0") + unicodedata.decimal(c) for c in writing.digits if not c.isascii()
    }
    return _Script(
        table,
        frozenset(writing.digits),
        writing.clitic_suffixes,
        writing.letter_case,
        _split_re(writing.marks),
        normal,
        digit_values,
    )


def _kind_of(first: str, digits: frozenset[str]) -> int:
    if first.isalpha():
        return WORD
    return NUM if first in digits else PUNCT


@dataclass(slots=True)
class Tokens:
    """The tokens of one text: parallel lists indexed by token number."""

    text: str
    keys: list[str]
    starts: list[int]
    ends: list[int]
    kinds: list[int]
    # whether the script has capitals (see WritingSystem.letter_case): only then do the
    # sentence and name rules read them
    cased: bool = True

    def __len__(self) -> int:
        return len(self.keys)

    def surface(self, i: int) -> str:
        return self.text[self.starts[i] : self.ends[i]]

    def index_at(self, char: int) -> int | None:
        """The token starting exactly at character ``char``, if any."""
        i = bisect_left(self.starts, char)
        if i < len(self.starts) and self.starts[i] == char:
            return i
        return None


def word_key(word: str, clitic_suffixes: tuple[str, ...] = ()) -> str:
    """The lookup key of a word token (an attached clitic of ``clitic_suffixes`` removed)."""
    low = word.lower()
    if len(low) > 3:
        for suffix in clitic_suffixes:
            if low.endswith(suffix):
                low = low[: -len(suffix)]
                break
    return low.translate(_APOSTROPHES)


def tokenize(
    text: str, writing: WritingSystem | None = None, known: frozenset[str] | None = None
) -> Tokens:
    """The tokens of ``text`` in ``writing`` (default: that of the default language pack).

    With ``known`` (the keys of every word the pack lists), a word written with clitics in
    front ("and", "with the") that is not itself known is split into its clitics and the word,
    each a token (see :func:`_split_clitics`)."""
    writing = load_language_pack().writing if writing is None else writing
    script = _script(writing)
    lower = text.lower()
    if len(lower) != len(text):  # a few scripts change length when lower-cased
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    parts = script.split_re.split(lower)
    keys = parts[1::2]
    offsets = list(accumulate(map(len, parts)))
    ends = offsets[1::2]
    starts = offsets[0:-1:2]
    kinds: list[int] = list(map(script.kind_of_first.get, map(itemgetter(0), keys)))  # type: ignore[arg-type]
    # Characters outside the table (other scripts, symbols) are classified one by one.
    for i in compress(range(len(kinds)), map(is_, kinds, repeat(None))):
        kinds[i] = _kind_of(keys[i][0], script.digits)
    tokens = Tokens(text, keys, starts, ends, kinds, script.cased)
    # The rare tokens that need more than a first-character look, each kind found with C-level
    # filters (compress/map) so no Python code runs for ordinary tokens.
    n = len(keys)
    for quote in ("'", "’"):
        if quote in lower:
            for i in compress(range(n), map(contains, keys, repeat(quote))):
                if len(keys[i]) > 1:
                    keys[i] = word_key(keys[i], script.clitic_suffixes)
    if script.normal is not None:
        _normalise_keys(keys, kinds, script)
    for i in compress(range(n), map(eq, kinds, repeat(NUM))):
        key = keys[i]
        if "-" in key:
            kinds[i] = ISO_DATE
        elif "/" in key:
            kinds[i] = SLASH_DATE
    for i in compress(range(n), map(_HYPHENS.__contains__, keys)):
        # A hyphen glued to the words on both sides joins them ("al-Sham").
        if (
            0 < i < n - 1
            and starts[i] == ends[i - 1]
            and starts[i + 1] == ends[i]
            and keys[i + 1][0].isalnum()
        ):
            kinds[i] = JOINER
    # "u.s." -> one word "us": runs of single letters each glued to a dot.
    chains: list[list[int]] = []  # [first letter token, last dot token]
    for i in compress(range(n), map(eq, keys, repeat("."))):
        if i == 0 or not _letter_dot(keys, starts, ends, i - 1):
            continue
        if chains and chains[-1][1] == i - 2 and ends[i - 2] == starts[i - 1]:
            chains[-1][1] = i
        else:
            chains.append([i - 1, i])
    for first, last in reversed(chains):
        glued_letter_after = (
            last + 1 < n and starts[last + 1] == ends[last] and keys[last + 1][0].isalpha()
        )
        if last - first >= 3 and not glued_letter_after:
            _merge(tokens, starts[first], ends[last], "".join(keys[first : last + 1 : 2]))
    if known is not None and script.normal is not None and writing.preposition_clitics:
        _split_clitics(tokens, writing, script.normal, known)
    return tokens


def _split_clitics(
    tokens: Tokens, writing: WritingSystem, normal: _Normaliser, known: frozenset[str]
) -> None:
    """Split the clitics off the front of words the pack does not know, where what is left is
    a word it knows ("wa" + "qutila", "bi" + "al-gharat") or, known or not, a word with the
    article ("wa" + "al-..."): one token for each clitic, one for the word."""
    keys, starts, ends, kinds, text = (
        tokens.keys,
        tokens.starts,
        tokens.ends,
        tokens.kinds,
        tokens.text,
    )
    out: list[tuple[int, list[tuple[int, int, str]]]] = []
    for i in compress(range(len(keys)), map(is_, map(str.isascii, keys), repeat(False))):
        if kinds[i] != WORD or keys[i] in known:
            continue
        pieces = _clitic_pieces(text[starts[i] : ends[i]], writing, normal, known)
        if pieces:
            out.append((i, [(starts[i] + a, starts[i] + b, k) for a, b, k in pieces]))
    for i, pieces in reversed(out):
        keys[i : i + 1] = [k for _, _, k in pieces]
        starts[i : i + 1] = [a for a, _, _ in pieces]
        ends[i : i + 1] = [b for _, b, _ in pieces]
        kinds[i : i + 1] = [WORD] * len(pieces)


def _clitic_pieces(
    word: str, writing: WritingSystem, normal: _Normaliser, known: frozenset[str]
) -> list[tuple[int, int, str]] | None:
    """(start, end, key) of each clitic and of the word left, or None when ``word`` is better
    left whole. Shorter clitic runs are tried first, so a word is split no more than needed."""
    plain = normal.plain(word)
    article = normal.article
    fallback = None
    for first in ("", *writing.conjunction_clitics):
        for second in ("", *writing.preposition_clitics):
            lead = first + second
            if not lead or not plain.startswith(lead) or len(plain) - len(lead) < 2:
                continue
            rest = plain[len(lead) :]
            # (key, whether the word left has the article)
            options = [(normal.key(rest), bool(article) and rest.startswith(article))]
            if second in writing.article_elided_after and article and rest[:1] == article[1:2]:
                options.insert(0, (normal.key(article[:1] + rest), True))
            for key, has_article in options:
                if key in known:
                    return _cut(word, lead, key, normal)
                if fallback is None and has_article and len(key) >= 3:
                    fallback = _cut(word, lead, key, normal)
    return fallback


def _cut(word: str, lead: str, key: str, normal: _Normaliser) -> list[tuple[int, int, str]]:
    """The pieces of ``word``: one per letter of ``lead`` (with the marks written on it), then
    the rest under ``key``."""
    pieces: list[tuple[int, int, str]] = []
    at = 0
    for letter in lead:
        end = at + 1
        while end < len(word) and not normal.plain(word[end]):
            end += 1
        pieces.append((at, end, letter))
        at = end
    pieces.append((at, len(word), key))
    return pieces


def _normalise_keys(keys: list[str], kinds: list[int], script: _Script) -> None:
    """Keys of words outside ASCII by the script's rules; number keys in ASCII digits."""
    normal = script.normal
    assert normal is not None
    values = script.digit_values
    for i in compress(range(len(keys)), map(is_, map(str.isascii, keys), repeat(False))):
        if kinds[i] == WORD:
            keys[i] = normal.key(keys[i])
        elif kinds[i] == NUM and values:
            keys[i] = keys[i].translate(values)


def _letter_dot(keys: list[str], starts: list[int], ends: list[int], i: int) -> bool:
    """Token i is a single letter glued to the dot after it."""
    k = keys[i]
    return len(k) == 1 and k.isalpha() and k.isascii() and ends[i] == starts[i + 1]


def _merge(tokens: Tokens, start: int, end: int, key: str) -> None:
    """Make the tokens covering characters [start, end) one word token ("u . s ." -> "us")."""
    first = tokens.index_at(start)
    if first is None:
        return
    last = bisect_left(tokens.starts, end)
    tokens.keys[first:last] = [key]
    tokens.starts[first:last] = [start]
    tokens.ends[first:last] = [end]
    tokens.kinds[first:last] = [WORD]


@dataclass(slots=True)
class Sentence:
    """Token range [start, end) of one sentence, with its paragraph number."""

    index: int
    start: int
    end: int
    paragraph: int

    def char_span(self, tokens: Tokens) -> tuple[int, int]:
        return tokens.starts[self.start], tokens.ends[self.end - 1]


_CLOSERS = frozenset("\"'”’)]»")


def split_sentences(tokens: Tokens, abbreviations: frozenset[str] = frozenset()) -> list[Sentence]:
    """Sentences from sentence-final punctuation and line breaks.

    A line break ends a sentence unless the line runs on (it ends in a letter, digit or comma and
    the next line starts in lower case; in a script without letter case no line runs on), so
    headlines and list items stand alone while hard-wrapped paragraphs stay whole. A blank line
    starts a new paragraph. A dot after one of ``abbreviations`` (the language pack's "mr", "dr"
    ...) or a single letter does not end one; without letter case, any letter after a stop and
    a space starts the next sentence.
    """
    keys, kinds = tokens.keys, tokens.kinds
    n = len(keys)
    sentences: list[Sentence] = []
    if n == 0:
        return sentences
    paragraph = 0
    begin = 0
    next_free = 0
    for i in _ending_candidates(tokens):
        if i < next_free:
            continue
        key = keys[i]
        last = _stop_end(tokens, i, abbreviations) if kinds[i] == PUNCT and key in ".!?" else None
        if last is None:
            next_free = i + 1
            brk = _line_break(tokens, i, key) if i + 1 < n else _NO_BREAK
            if brk != _NO_BREAK:
                sentences.append(Sentence(len(sentences), begin, i + 1, paragraph))
                begin = i + 1
                if brk == _PARAGRAPH_BREAK:
                    paragraph += 1
            continue
        next_free = last + 1
        sentences.append(Sentence(len(sentences), begin, last + 1, paragraph))
        begin = last + 1
        if last + 1 < n:
            gap_start, gap_end = tokens.ends[last], tokens.starts[last + 1]
            # a blank line needs two newlines, so a one-space gap needs no count
            if gap_end - gap_start >= 2 and tokens.text.count("\n", gap_start, gap_end) >= 2:
                paragraph += 1
    if begin < n:
        sentences.append(Sentence(len(sentences), begin, n, paragraph))
    return sentences


def _ending_candidates(tokens: Tokens) -> list[int]:
    """The tokens, in order, that can end a sentence: sentence-final punctuation and the last
    token before a line break. str.find jumps between them in C (a regex finditer over the
    text, or a look at every token, costs several times more)."""
    text, starts = tokens.text, tokens.starts
    n = len(starts)
    candidates: set[int] = set()
    for ender in ".!?":
        at = text.find(ender)
        while at >= 0:
            k = bisect_left(starts, at)
            if k < n and starts[k] == at:  # not a dot inside a token ("3.5", "U.S.")
                candidates.add(k)
            at = text.find(ender, at + 1)
    at = text.find("\n")
    while at >= 0:
        # No token holds a newline: the last one starting before it is the one before it.
        candidates.add(bisect_left(starts, at) - 1)
        at = text.find("\n", at + 1)
    candidates.discard(-1)  # a line break before the first token
    return sorted(candidates)


def _stop_end(tokens: Tokens, i: int, abbreviations: frozenset[str]) -> int | None:
    """The last token (closing quotes and brackets included) of the stop at ``i`` when it ends
    a sentence; None after an abbreviation or when what follows does not open a new one."""
    text, cased = tokens.text, tokens.cased
    keys, starts, ends, kinds = tokens.keys, tokens.starts, tokens.ends, tokens.kinds
    n = len(keys)
    key = keys[i]
    j = i + 1
    while j < n and kinds[j] == PUNCT and (keys[j] in _CLOSERS or keys[j] in ".!?"):
        j += 1
    if j >= n:
        return j - 1
    prev = keys[i - 1] if i > 0 else ""
    if key == "." and (prev in abbreviations or (len(prev) == 1 and prev.isalpha())):
        return None
    nxt = text[starts[j]]
    gap_start, gap_end = ends[j - 1], starts[j]
    # without capitals, any letter after the stop starts the next sentence
    if gap_start < gap_end and (
        (nxt.isupper() if cased else nxt.isalpha())
        or nxt.isdigit()
        or nxt in "\"“'‘("
        or text.find("\n", gap_start, gap_end) >= 0
    ):
        return j - 1
    return None


# What a line break after a token does (see _line_break).
_NO_BREAK = 0  # no line break, or the line runs on
_LINE_BREAK = 1  # the sentence ends
_PARAGRAPH_BREAK = 2  # the sentence and the paragraph end (a blank line)


def _line_break(tokens: Tokens, i: int, key: str) -> int:
    """What the gap after token ``i`` (its key ``key``, a token follows) does to the sentence."""
    text = tokens.text
    gap_start, gap_end = tokens.ends[i], tokens.starts[i + 1]
    if gap_start >= gap_end or text.find("\n", gap_start, gap_end) < 0:
        return _NO_BREAK
    new_paragraph = text.count("\n", gap_start, gap_end) >= 2
    # only a lower-case start says a line runs on; without capitals none does
    runs_on = (
        tokens.cased
        and not new_paragraph
        and (key[-1:].isalnum() or key == ",")
        and text[gap_end].islower()
    )
    if runs_on:
        return _NO_BREAK
    return _PARAGRAPH_BREAK if new_paragraph else _LINE_BREAK
