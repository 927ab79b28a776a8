"""Named individuals, found by capitalisation next to cue words (never from a list of names).

A run of capitalised words (with particles such as "al", "bin", "abu" inside) is taken as a
person's name only when something marks it as one: a role word before it ("activist Rana
Haddad", "Foreign Minister ..."), an age after it ("Mahmoud Qassem, 36,"), a speech verb next to
it ("... said Rana Haddad", "Rana Haddad told"), or an apposition with a role ("Hadi Saleh, a
local activist"). Names are sensitive: the engine only records them, never publishes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress

from marsad.extract.lexicon import ACTOR, MONTH, ORG, ROLE, SPEECH, WEEKDAY, Match
from marsad.extract.text import JOINER, NUM, WORD, Tokens
from marsad.lang import LanguagePack


@dataclass(slots=True)
class PersonFound:
    start: int  # token range of the name
    end: int
    name: str
    role: str
    char_start: int
    char_end: int


class PersonReader:
    def __init__(self, pack: LanguagePack) -> None:
        self.particles = pack.name_particles
        self.not_names = pack.not_names
        self.relative_pronouns = pack.grammar.relative_pronouns

    def read(
        self, tokens: Tokens, start: int, end: int, matches: dict[str, list[Match]]
    ) -> list[PersonFound]:
        roles = matches.get(ROLE, [])
        speech = matches.get(SPEECH, [])
        if not roles and not speech:
            return []
        text, keys, kinds, starts = tokens.text, tokens.keys, tokens.kinds, tokens.starts
        # A name is two tokens or more and ends in a capitalised word (trailing particles and
        # joiners are cut off), so without a capital after the first token there is none; an
        # all-lower-case rest of the sentence (one C call) is the commonest such case.
        if end - start < 2 or text[starts[start + 1] : tokens.ends[end - 1]].islower():
            return []
        # Names start with a capital or a particle ("al-Youssef"); only those tokens are tried.
        firsts = map(text.__getitem__, starts[start:end])
        capitals = list(compress(range(start, end), map(str.isupper, firsts)))
        if not capitals or capitals[-1] == start:
            return []
        particles = self.particles
        if particles.isdisjoint(keys[start:end]):
            candidates: list[int] = capitals  # already in order
        else:
            tried = set(capitals)
            tried.update(compress(range(start, end), map(particles.__contains__, keys[start:end])))
            candidates = sorted(tried)
        blocked: set[int] | None = None  # tokens of other names (actors, months ...)
        # Built when the first name is found (most sentences with a cue have none).
        role_end: dict[int, Match] | None = None
        speech_start: set[int] = set()
        speech_end: set[int] = set()

        out: list[PersonFound] = []
        next_free = start
        for i in candidates:
            if i < next_free:
                continue
            # A name of two tokens or more goes on to a capitalised word, a particle or a
            # joiner; a one-token run is never taken (and ends before the next candidate).
            k = i + 1
            if k >= end or not (
                kinds[k] == JOINER or text[starts[k]].isupper() or keys[k] in particles
            ):
                continue
            if blocked is None:
                blocked = set()
                for kind in (ACTOR, ORG, MONTH, WEEKDAY, ROLE):
                    for m in matches.get(kind, ()):
                        blocked.update(range(m.start, m.end))
            run_end = self._name_run(tokens, i, end, blocked)
            if run_end is None:
                continue
            next_free = run_end
            # (The run always holds a capitalised word that is no particle: see _name_run.)
            if run_end - i < 2:
                continue
            if role_end is None:
                role_end = {m.end: m for m in roles}
                speech_start = {m.start for m in speech}
                speech_end = {m.end for m in speech}
            role: str | None = None
            cue = role_end.get(i) or (role_end.get(i - 1) if keys[i - 1] == "," else None)
            if cue is not None:
                role = str(cue.value)
            elif self._speaker(tokens, i, run_end, end, speech_start, speech_end):
                role = "witness"
            else:
                appositive = self._appositive_role(tokens, run_end, end, roles)
                if appositive is not None:
                    role = appositive
            if role is None:
                continue
            if role == "witness":
                appositive = self._appositive_role(tokens, run_end, end, roles)
                if appositive is not None:
                    role = appositive
            s, e = starts[i], tokens.ends[run_end - 1]
            out.append(PersonFound(i, run_end, text[s:e], _normal_role(role), s, e))
        return out

    def _speaker(
        self,
        tokens: Tokens,
        i: int,
        run_end: int,
        end: int,
        speech_start: set[int],
        speech_end: set[int],
    ) -> bool:
        """ "NAME, 36,", "NAME said", "NAME, ..., said" (one comma), "said NAME", "NAME, who" """
        keys = tokens.keys
        if _age_after(tokens, run_end, end) or run_end in speech_start or i in speech_end:
            return True
        comma = run_end < end and keys[run_end] == ","
        return (
            comma
            and run_end + 1 < end
            and (run_end + 1 in speech_start or keys[run_end + 1] in self.relative_pronouns)
        )

    def _name_run(self, tokens: Tokens, i: int, end: int, blocked: set[int]) -> int | None:
        """End of a capitalised name starting at token i, or None."""
        text, keys, kinds, starts = tokens.text, tokens.keys, tokens.kinds, tokens.starts
        particles = self.particles
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
            if not text[starts[j]].isupper() or key in self.not_names:
                break
            word = text[starts[j] : tokens.ends[j]]
            if word.isupper() and len(word) > 1:
                break  # acronyms are organisations, not people
            capitals += 1
            j += 1
        # trailing particles or joiners are not part of the name
        while j > i and (kinds[j - 1] == JOINER or keys[j - 1] in particles):
            j -= 1
        # A run that is kept thus ends in a capitalised word that is no particle.
        if capitals == 0 or j <= i:
            return None
        return j

    def _appositive_role(self, tokens: Tokens, p: int, end: int, roles: list[Match]) -> str | None:
        """ "Hadi Saleh, a pro-opposition activist ..." """
        if p >= end or tokens.keys[p] != ",":
            return None
        for m in roles:
            if p < m.start <= p + 6:
                return str(m.value)
        return None


def _age_after(tokens: Tokens, p: int, end: int) -> bool:
    """ "NAME, 36," """
    keys, kinds = tokens.keys, tokens.kinds
    if p + 1 < end and keys[p] == "," and kinds[p + 1] == NUM:
        k = keys[p + 1]
        return k.isdigit() and len(k) <= 2
    return False


def _normal_role(role: str) -> str:
    return (
        role
        if role in ("victim", "witness", "activist", "defender", "official", "journalist")
        else "unknown"
    )
