"""Named individuals, found by capitalisation next to cue words (never from a list of names).

A run of capitalised words (with particles such as "al", "bin", "abu" inside) is taken as a
person's name only when something marks it as one. The cues are all data (``persons.yaml``):

* before the name: a role ("activist Rana Haddad", "the head of the local council, ..."), a
  title ("Dr Huda Qassem", "Sheikh Omar"), a kinship word ("her son Omar"), a verb of harm
  ("killed Rana Haddad"), a speech verb ("said Rana Haddad"), "according to", a phrase naming
  whose someone is ("relatives of ..."), an age ("28-year-old Rana Haddad"), or a phrase opening
  a list of names ("the victims were named as A, B and C");
* after it: a speech verb ("Rana Haddad said", "Rana Haddad, 34, told"), an age ("Rana Haddad,
  34,", "Rana Haddad (34)", "Rana Haddad, aged 34"), an apposition with a role ("Hadi Saleh, a
  28-year-old media activist"), "who", or a verb of harm ("Rana Haddad was killed");
* a kunya on its own ("Abu Khaled al-Halabi", "Umm Ahmad").

Names joined to a found one by "and" or a comma share its cue ("two media activists, A and B").
Words that stand where a place stands ("residents in Kafr Nabl said") need a cue on the person's
side; a few loose cues (a kunya, "including ...", a possessive) mark the person *weak*: the
engine lets a place of exactly those words win over it. Names are sensitive: the engine only
records them, never publishes them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import compress

from marsad.extract.cued_persons import cued_reader
from marsad.extract.lexicon import (
    ACTOR,
    CASUALTY,
    COUNT_NOUN,
    EVENT,
    FACILITY,
    GROUP,
    MONTH,
    ORG,
    ROLE,
    SPEECH,
    WEAPON,
    WEEKDAY,
    Match,
)
from marsad.extract.text import JOINER, NUM, WORD, Tokens
from marsad.lang import LanguagePack

# Lexicon kinds whose words are never part of a person's name.
_BLOCKING = (ACTOR, ORG, MONTH, WEEKDAY, ROLE, EVENT, WEAPON, FACILITY, CASUALTY, GROUP, COUNT_NOUN)
# The schema's roles, the most exposed first: a name cued as two roles takes the first of them,
# whatever order a set of cues happens to iterate in.
_ROLES = ("victim", "journalist", "defender", "activist", "witness", "official")
_MAX_AGE_DIGITS = 3
_APPOSITION_GAP = 5  # words allowed between the comma and the role ("a 28-year-old media ...")


@dataclass(slots=True)
class PersonFound:
    start: int  # token range of the name
    end: int
    name: str
    role: str
    char_start: int
    char_end: int
    # found by a loose cue only ("including X", a kunya): a place of the same words wins
    weak: bool = False
    age: int | None = None  # token of an age given next to the name ("Rana Haddad, 34,")


@dataclass(slots=True)
class _Cue:
    role: str  # a schema role, or "unknown"
    kinds: frozenset[str]  # the role_cues keys that marked the name
    weak: bool = False
    age: int | None = None


class _Sentence:
    """Lookups over one sentence's matches, built when the first name candidate appears."""

    __slots__ = (
        "blocked",
        "end",
        "role_end",
        "role_start",
        "speech_end",
        "speech_start",
        "start",
        "titles",
    )

    def __init__(self, tokens: Tokens, start: int, end: int, matches: dict[str, list[Match]]):
        self.start, self.end = start, end
        roles = matches.get(ROLE, ())
        self.role_end = {m.end: m for m in roles}
        self.role_start = {m.start: m for m in roles}
        speech = matches.get(SPEECH, ())
        self.speech_start = {m.start for m in speech}
        self.speech_end = {m.end for m in speech}
        # (A name is made of capitalised words, so only matches that open on one can block.)
        text, starts = tokens.text, tokens.starts
        self.blocked: set[int] = set()
        for kind in _BLOCKING:
            for m in matches.get(kind, ()):
                if text[starts[m.start]].isupper():
                    self.blocked.update(range(m.start, m.end))
        # A title opens no name but may be part of one ("Lama Sayed", "Omar al-Sheikh").
        self.titles = {m.start for m in roles if "title" in m.values and m.end - m.start == 1}
        self.blocked.difference_update(self.titles)
        # A capitalised speech verb or one-word outlet name before another capitalised word is a
        # first name: "Said Hamadi", "Sana Abdo" (the agency is written "SANA").
        for m in (*speech, *matches.get(ORG, ())):
            if (
                m.end - m.start == 1
                and m.end < end
                and text[starts[m.start]].isupper()
                and not text[starts[m.start] : tokens.ends[m.start]].isupper()
                and text[starts[m.end]].isupper()
            ):
                self.blocked.discard(m.start)


def _token_range(tokens: Tokens, a: int, b: int) -> tuple[int, int]:
    """The tokens [first, last) that characters [a, b) cover."""
    return bisect_right(tokens.ends, a), bisect_left(tokens.starts, b)


class PersonReader:
    def __init__(self, pack: LanguagePack) -> None:
        cues = pack.person_cues
        self.cues = cues
        # names are found by their capitals: a script without them has its persons found by
        # the cue reader of its language (cued_persons, lang/<code>/persons.yaml) instead
        self.cased = pack.writing.letter_case
        self.cued = None if self.cased else cued_reader(pack.code)
        self.particles = pack.name_particles
        self.not_names = pack.not_names
        self.relative_pronouns = pack.grammar.relative_pronouns
        self.articles = pack.grammar.articles | {pack.grammar.definite_article}
        self.possessives = pack.grammar.possessives
        self.of_words = pack.grammar.of_words
        self.age_suffixes = pack.grammar.age_suffixes
        self.age_prefixes = pack.grammar.age_prefixes
        self.loose_words = self.relative_pronouns | cues.kunya_particles | cues.list_colons
        self.harm_alone = frozenset(pack.role_cues.get("harmed", ())) & frozenset(
            cues.harm_intransitive
        )

    def read(
        self, tokens: Tokens, start: int, end: int, matches: dict[str, list[Match]]
    ) -> list[PersonFound]:
        if not self.cased:
            return self._cued(tokens, start, end)
        text, keys, kinds, starts = tokens.text, tokens.keys, tokens.kinds, tokens.starts
        candidates = self._candidates(tokens, start, end, matches)
        if not candidates:
            return []
        particles = self.particles
        # where the cues that make one word a name end ("Sheikh Omar", "Dr. Omar", "her son,
        # Omar"); most capitalised words ("The", "Ariha") are one word with none before them
        single = self._single_word_ends(matches)
        sent: _Sentence | None = None
        out: list[PersonFound] = []
        next_free = start
        for i in candidates:
            if i < next_free or kinds[i] != WORD:
                continue
            k = i + 1
            one_word = k >= end or not (
                kinds[k] == JOINER or text[starts[k]].isupper() or keys[k] in particles
            )
            if one_word and i not in single and i - 1 not in single:
                continue
            if sent is None:
                sent = _Sentence(tokens, start, end, matches)
            if i in sent.titles:
                continue  # "Dr Huda Qassem": the name starts after the title
            if text[starts[i]].islower() and (one_word or kinds[k] != JOINER):
                continue  # a lower-case particle opens a name only when joined: "al-Youssef"
            run_end = self._name_run(tokens, i, end, sent.blocked)
            if run_end is None:
                continue
            next_free = run_end
            if run_end < end and keys[run_end] in self.cues.org_words:
                continue  # "the Omar bin al-Khattab Mosque", "Al-Razi Hospital"
            if run_end - i < 2 and i not in single and i - 1 not in single:
                continue
            cue = self._cue(tokens, sent, i, run_end)
            if cue is None or (run_end - i < 2 and not cue.kinds & self.cues.single_word_cues):
                continue
            out.append(self._found(tokens, i, run_end, cue))
            next_free = self._list_after(tokens, sent, run_end, cue, out)
        return out

    def _cued(self, tokens: Tokens, start: int, end: int) -> list[PersonFound]:
        """The persons the cue reader finds in tokens [start, end), with their token ranges."""
        if self.cued is None or start >= end:
            return []
        offset = tokens.starts[start]
        found: list[PersonFound] = []
        for p in self.cued.read(tokens.text[offset : tokens.ends[end - 1]]):
            a, b = p.evidence.start + offset, p.evidence.end + offset
            first, last = _token_range(tokens, a, b)
            found.append(PersonFound(first, max(last, first + 1), p.name, p.role, a, b))
        return found

    def _candidates(
        self, tokens: Tokens, start: int, end: int, matches: dict[str, list[Match]]
    ) -> list[int]:
        """The tokens a name may start at: capitalised words and particles ("al-Youssef")."""
        text, keys, starts = tokens.text, tokens.keys, tokens.starts
        # A name needs a capitalised word after the sentence's first token or a title before a
        # single word, so an all-lower-case rest of the sentence (one C call) has none.
        if end - start < 2 or text[starts[start + 1] : tokens.ends[end - 1]].islower():
            return []
        if (
            ROLE not in matches
            and SPEECH not in matches
            and not self._loose_cue(tokens, start, end)
        ):
            return []  # no cue word, no age, "who", kunya, possessive or colon: no name
        firsts = map(text.__getitem__, starts[start:end])
        candidates = list(compress(range(start, end), map(str.isupper, firsts)))
        if candidates and not self.particles.isdisjoint(keys[start:end]):
            tried = set(candidates)
            tried.update(
                compress(range(start, end), map(self.particles.__contains__, keys[start:end]))
            )
            candidates = sorted(tried)
        return candidates

    # -- the name itself --------------------------------------------------------------------
    def _name_run(self, tokens: Tokens, i: int, end: int, blocked: set[int]) -> int | None:
        """End of a capitalised name starting at token i, or None."""
        text, keys, kinds, starts = tokens.text, tokens.keys, tokens.kinds, tokens.starts
        particles, org_words = self.particles, self.cues.org_words
        j = i
        capitals = 0
        while j < end:
            kind = kinds[j]
            if kind == JOINER:
                if j + 1 < end and kinds[j + 1] == WORD:
                    j += 1
                    continue
                break
            if kind != WORD or j in blocked:
                break
            key = keys[j]
            if key in particles:
                j += 1
                continue
            if not text[starts[j]].isupper() or key in self.not_names or key in org_words:
                break
            word = text[starts[j] : tokens.ends[j]]
            if word.isupper() and len(word) > 1:
                break  # acronyms are organisations, not people
            capitals += 1
            j += 1
            if word.endswith(self.cues.possessive_endings):
                break  # "Rana Haddad's home": the name ends with the possessive
        # trailing particles or joiners are not part of the name
        while j > i and (kinds[j - 1] == JOINER or keys[j - 1] in particles):
            j -= 1
        # A run that is kept thus ends in a capitalised word that is no particle.
        if capitals == 0 or j <= i:
            return None
        return j

    # -- cues -------------------------------------------------------------------------------
    def _cue(self, tokens: Tokens, sent: _Sentence, i: int, run_end: int) -> _Cue | None:
        """What marks the run [i, run_end) as a person's name, if anything."""
        before = self._cue_before(tokens, sent, i)
        if before is not None and not before.weak:
            after = self._cue_after(tokens, sent, i, run_end, guarded=False)
            if after is not None:
                # "activist Rana Haddad, 34,": the role before, the age after
                before.age = after.age
                if before.role == "unknown":
                    before.role = after.role
            return before
        guarded = self._after_place_word(tokens, sent, i)
        after = self._cue_after(tokens, sent, i, run_end, guarded)
        if after is not None:
            return after
        if before is not None:
            return before  # a weak cue before ("including Hadi Saleh and ...")
        if not guarded and tokens.keys[i] in self.cues.kunya_particles:
            return _Cue("unknown", frozenset(), weak=True)  # "Abu Khaled al-Halabi"
        return None

    def _loose_cue(self, tokens: Tokens, start: int, end: int) -> bool:
        """Whether a sentence with no cue word may still mark a name: by an age ("X, 34,"), a
        "who", a kunya, a possessive or a list after a colon (each a scan in C)."""
        keys = tokens.keys[start:end]
        if NUM in tokens.kinds[start:end]:
            return True
        if not self.loose_words.isdisjoint(keys):
            return True
        text = tokens.text[tokens.starts[start] : tokens.ends[end - 1]]
        return any(ending in text for ending in self.cues.possessive_endings)

    def _single_word_ends(self, matches: dict[str, list[Match]]) -> set[int]:
        single = self.cues.single_word_cues
        return {m.end for m in matches.get(ROLE, ()) if not single.isdisjoint(m.values)}

    def _cue_before(self, tokens: Tokens, sent: _Sentence, i: int) -> _Cue | None:
        """A title, role, speech verb, age or list phrase right before the name."""
        keys = tokens.keys
        kinds: set[str] = set()
        p = i  # the cue must end at p
        if p - 1 > sent.start and keys[p - 1] == "." and p - 1 in sent.role_end:
            p -= 1  # "Dr. Samer Idris"
        title = sent.role_end.get(p)
        if title is not None and "title" in title.values:
            kinds.add("title")
            p = title.start
        else:
            title = None
        m = sent.role_end.get(p)
        if m is None and p - 1 > sent.start and keys[p - 1] == ",":
            m = sent.role_end.get(p - 1) or self._role_of_phrase(tokens, sent, p - 1)
            if m is not None and set(m.values) <= self.cues.weak_cues:
                m = None  # "including, ..." is no list opener
        if m is not None and m is not title:
            kinds.update(m.values)
        if (
            not kinds
            and p - 1 > sent.start
            and keys[p - 1] in self.cues.list_colons
            and self._list_follows(tokens, sent, i)
        ):
            kinds.add("weak_list")  # "Four men were abducted: A, B and C"
        if not kinds:
            if i in sent.speech_end or self._age_before(tokens, sent, i):
                return _Cue("unknown" if i not in sent.speech_end else "witness", frozenset())
            if self._noun_before(tokens, sent, i):
                return _Cue("unknown", frozenset(), weak=True)  # "the schoolteacher Nadia Turk"
            return None
        frozen = frozenset(kinds)
        return _Cue(self._role_of(frozen), frozen, weak=frozen <= self.cues.weak_cues)

    def _noun_before(self, tokens: Tokens, sent: _Sentence, i: int) -> bool:
        """ "the schoolteacher Nadia Turk", "her neighbour Rami Aswad": an article or a
        possessive and one lower-case word (a role the pack does not list) before the name.
        A loose cue: "the town Kafr Nabl" is written too, and its place wins."""
        keys, text, starts = tokens.keys, tokens.text, tokens.starts
        k = i - 1
        if k - 1 < sent.start or tokens.kinds[k] != WORD or not text[starts[k]].islower():
            return False
        word = keys[k]
        if word in self.not_names or word in self.cues.place_prepositions or word in self.particles:
            return False
        return keys[k - 1] in self.articles or keys[k - 1] in self.possessives

    def _role_of_phrase(self, tokens: Tokens, sent: _Sentence, comma: int) -> Match | None:
        """ "the director of the hospital, Munir Qatan": a role, "of" and a few lower-case
        words right before the comma."""
        keys, text, starts = tokens.keys, tokens.text, tokens.starts
        k = comma - 1
        while k > sent.start and comma - k <= _APPOSITION_GAP and text[starts[k]].islower():
            if keys[k] in self.of_words:
                return sent.role_end.get(k)
            k -= 1
        return None

    def _list_follows(self, tokens: Tokens, sent: _Sentence, i: int) -> bool:
        """Whether another capitalised name follows the run at i after a comma or "and"."""
        run_end = self._name_run(tokens, i, sent.end, sent.blocked)
        if run_end is None or run_end + 1 >= sent.end:
            return False
        k = run_end
        keys = tokens.keys
        while k < sent.end and (keys[k] == "," or keys[k] in self.cues.list_joiners):
            k += 1
        return k > run_end and k < sent.end and tokens.text[tokens.starts[k]].isupper()

    def _cue_after(
        self, tokens: Tokens, sent: _Sentence, i: int, run_end: int, guarded: bool
    ) -> _Cue | None:
        """A speech verb, an age, an apposition, "who" or a verb of harm after the name.

        ``guarded``: the name stands where a place stands, so only an apposition with a role
        (and a following "who") still marks it."""
        keys, end = tokens.keys, sent.end
        age = self._age_after(tokens, sent, run_end)
        p = run_end
        if age is not None:
            p = age[1]  # "Rana Haddad, 34, said": read on after the age
        role = self._apposition(tokens, sent, p)
        if role is not None:
            return _Cue(role, frozenset({role}), age=age[0] if age else None)
        comma = p < end and keys[p] == ","
        if comma and p + 1 < end and keys[p + 1] in self.relative_pronouns:
            return _Cue("unknown", frozenset(), age=age[0] if age else None)
        if guarded:
            return None
        q = p + 1 if comma else p
        shared = self._past_companions(tokens, sent, p)  # "X and his brother were killed"
        if self._harmed_after(tokens, sent, q if shared == p else shared):
            return _Cue("victim", frozenset({"harmed"}), age=age[0] if age else None)
        if q in sent.speech_start or (comma and self._aside_then_speech(tokens, sent, q)):
            return _Cue("witness", frozenset(), age=age[0] if age else None)
        if age is not None:
            return _Cue("unknown", frozenset(), weak=age[2], age=age[0])
        last = tokens.text[tokens.starts[run_end - 1] : tokens.ends[run_end - 1]]
        if (
            last.endswith(self.cues.possessive_endings)
            and p < end
            and keys[p] in self.cues.possessed
        ):
            return _Cue("unknown", frozenset(), weak=True)  # "Rana Haddad's home was hit"
        return None

    def _apposition(self, tokens: Tokens, sent: _Sentence, p: int) -> str | None:
        """ "Hadi Saleh, a pro-opposition activist ...": the role of an apposition at p."""
        keys, kinds, end = tokens.keys, tokens.kinds, sent.end
        if p >= end or keys[p] != ",":
            return None
        before_only = self.cues.before_only_cues
        k = p + 1
        # An apposition opens on an article, a possessive, a number or the role itself ("X, a
        # teacher", "X, 34-year-old nurse", "X, activist"); "X, whose residents", "X, wounding
        # a woman" are other clauses.
        if k >= end or not (
            keys[k] in self.articles
            or keys[k] in self.possessives
            or kinds[k] == NUM
            or k in sent.role_start
        ):
            return None
        gap = 0
        while k < end and gap <= _APPOSITION_GAP:
            m = sent.role_start.get(k)
            if m is not None:
                if set(m.values) <= before_only:
                    return None  # a verb of harm, a list opener ...: another clause
                if m.end < end and (
                    m.end in sent.speech_start or keys[m.end] in self.cues.harm_links
                ):
                    return None  # "... hit Kafr Nabl, a local activist said": a new clause
                return next(v for v in m.values if v not in before_only)
            key = keys[k]
            if kinds[k] == WORD and (key in self.articles or key in self.possessives):
                gap += 1
            elif (
                kinds[k] == WORD
                and key not in self.cues.apposition_stops
                and tokens.text[tokens.starts[k]].islower()
            ):
                gap += 1  # "a well-known local ...", "a 28-year-old media ..."
            elif kinds[k] not in (NUM, JOINER):
                return None
            k += 1
        return None

    def _age_after(self, tokens: Tokens, sent: _Sentence, p: int) -> tuple[int, int, bool] | None:
        """ "NAME, 36,", "NAME (36)", "NAME, aged 36": (the age's token, the token after the
        age phrase, whether the form is loose). "(36)" is loose: tallies write "Ariha (3)"."""
        keys, kinds, end = tokens.keys, tokens.kinds, sent.end
        if p + 1 >= end or keys[p] not in (",", "("):
            return None
        k = p + 1
        if keys[k] in self.age_prefixes:
            k += 1
        if k >= end or kinds[k] != NUM or not keys[k].isdigit() or len(keys[k]) > _MAX_AGE_DIGITS:
            return None
        after = k + 1
        if keys[p] == "(":
            if after < end and keys[after] == ")":
                return k, after + 1, True
            return None
        suffix = self._age_suffix_end(tokens, after, end)
        if suffix is not None:
            return k, suffix, False
        if after >= end or keys[after] in (",", ".", ";", ")"):
            return k, after, False
        return None

    def _age_before(self, tokens: Tokens, sent: _Sentence, i: int) -> bool:
        """ "28-year-old Rana Haddad" """
        keys, kinds = tokens.keys, tokens.kinds
        for suffix in self.age_suffixes:
            # the suffix's words, with joiners between them, end right before the name
            k = i - 1
            ok = True
            for word in reversed(suffix):
                while k > sent.start and kinds[k] == JOINER:
                    k -= 1
                if k <= sent.start or keys[k] != word:
                    ok = False
                    break
                k -= 1
            while ok and k > sent.start and kinds[k] == JOINER:
                k -= 1
            if ok and k >= sent.start and kinds[k] == NUM:
                return True
        return False

    def _age_suffix_end(self, tokens: Tokens, k: int, end: int) -> int | None:
        """The end of an age suffix ("-year-old", "years old") starting at token k."""
        keys, kinds = tokens.keys, tokens.kinds
        for suffix in self.age_suffixes:
            j = k
            for word in suffix:
                while j < end and kinds[j] == JOINER:
                    j += 1
                if j >= end or keys[j] != word:
                    break
                j += 1
            else:
                return j
        return None

    def _past_companions(self, tokens: Tokens, sent: _Sentence, p: int) -> int:
        """Past "and his brother", ", his wife and their three children" after a name: where
        the verb the name shares with them may stand."""
        keys, end = tokens.keys, sent.end
        if p + 1 >= end or not (keys[p] == "," or keys[p] in self.cues.list_joiners):
            return p
        if keys[p + 1] not in self.possessives:
            return p
        k = p + 2
        while k < end and k - p <= 2 * _APPOSITION_GAP and keys[k] not in self.cues.harm_links:
            if tokens.kinds[k] not in (WORD, NUM, JOINER) and keys[k] != ",":
                return p
            k += 1
        return k

    def _aside_then_speech(self, tokens: Tokens, sent: _Sentence, q: int) -> bool:
        """ "Khaled Ajami, speaking from Idlib, said ...": an aside between commas, then a
        speech verb."""
        keys = tokens.keys
        k = q
        while k < sent.end and k - q <= _APPOSITION_GAP + 1:
            if keys[k] == ",":
                return k + 1 in sent.speech_start
            if tokens.kinds[k] not in (WORD, JOINER):
                return False
            k += 1
        return False

    def _harmed_after(self, tokens: Tokens, sent: _Sentence, p: int) -> bool:
        """ "Rana Haddad was killed", "Rana Haddad died": a verb of harm with the name as its
        subject (an active "X killed" names the killer, so a link word or an intransitive verb
        is needed)."""
        keys = tokens.keys
        links = self.cues.harm_links
        k = p
        while k < sent.end and keys[k] in links:
            k += 1
        m = sent.role_start.get(k)
        if m is None or "harmed" not in m.values:
            return False
        return k > p or " ".join(keys[m.start : m.end]) in self.harm_alone

    def _after_place_word(self, tokens: Tokens, sent: _Sentence, i: int) -> bool:
        """Whether the run stands where a place stands: after "in", "near", "of" ... (an
        article between is skipped: "in the ...")."""
        keys = tokens.keys
        k = i - 1
        if k >= sent.start and keys[k] in self.articles:
            k -= 1
        return k >= sent.start and keys[k] in self.cues.place_prepositions

    def _list_after(
        self, tokens: Tokens, sent: _Sentence, p: int, cue: _Cue, out: list[PersonFound]
    ) -> int:
        """Names joined to the one ending at p by commas and "and" share its cue: "named as A,
        B and C", "two media activists, A and B". Returns where reading goes on."""
        keys, end = tokens.keys, sent.end
        single = not cue.kinds.isdisjoint(self.cues.single_word_cues)
        shared = _Cue(cue.role, cue.kinds, cue.weak)
        while p < end:
            age = self._age_after(tokens, sent, p)
            k = age[1] if age is not None else p
            if age is not None and out[-1].age is None:
                out[-1].age = age[0]
            start = k
            while k < end and (keys[k] == "," or keys[k] in self.cues.list_joiners):
                k += 1
            if k == start or k >= end or not tokens.text[tokens.starts[k]].isupper():
                return p
            run_end = self._name_run(tokens, k, end, sent.blocked)
            if run_end is None or (run_end - k < 2 and not single):
                return p
            if run_end < end and keys[run_end] in self.cues.org_words:
                return p
            out.append(self._found(tokens, k, run_end, shared))
            p = run_end
        return p

    def _found(self, tokens: Tokens, i: int, run_end: int, cue: _Cue) -> PersonFound:
        s, e = tokens.starts[i], tokens.ends[run_end - 1]
        name = tokens.text[s:e]
        for ending in self.cues.possessive_endings:
            if name.endswith(ending):
                name, e = name[: -len(ending)], e - len(ending)  # "Rana Haddad's" -> the name
                break
        return PersonFound(i, run_end, name, cue.role, s, e, cue.weak, cue.age)

    def _role_of(self, kinds: frozenset[str]) -> str:
        named = [kind for kind in kinds if kind in _ROLES]
        if not named:
            named = [r for r in (self.cues.cue_roles.get(kind) for kind in kinds) if r in _ROLES]
        return min(named, key=_ROLES.index) if named else "unknown"
