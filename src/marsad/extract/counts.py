"""Attach numbers to what they count: a category (killed, strikes, crowd size ...) and a group.

For each number in a sentence the reader looks, in this order, at:

1. the noun right after it ("57 airstrikes", "16 locations", "88 civilian facilities"), skipping
   up to three modifiers ("29 Syrian rebels");
2. a casualty word right after that noun, across auxiliaries ("12 civilians were killed");
3. a casualty word just before the number ("killing 5", "the killing of over 60 civilians",
   "the death toll rose to 30");
4. further right in the same clause ("25,000 people, including ..., gathered");
5. coordination and sentence context: "a child and two women were killed" gives the child the
   category of the women; a group count left without a category takes the sentence's only
   casualty category ("Six civilians including a child were among 22 people killed").

"N of which/whom ..." is a sub-count of the count before (``part_of``), with its own perpetrator
when the clause names one ("19 of which by Russian warplanes"); "including N children" is a
sub-count too. "one-third of whom are children" is a *derived* count: low = ceil(parent low x
fraction), high = floor(parent high x fraction), qualifier copied from the parent.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from operator import attrgetter

from marsad.extract.lexicon import (
    ACTOR,
    CASUALTY,
    COUNT_NOUN,
    CUE_AGGREGATE,
    CUE_CROWD,
    CUE_INCLUDING,
    CUE_SUBSET,
    FACILITY,
    GROUP,
    ORG,
    Match,
)
from marsad.extract.numbers import NumberMention, NumberReader
from marsad.extract.text import JOINER, NUM, PUNCT, WORD, Tokens
from marsad.lang import LanguagePack

_CLAUSE_STOPS = frozenset({".", ";", ":", "!", "?", "(", ")"})
# Groups whose gathering is a military build-up, not a crowd.
_ARMED_GROUPS = frozenset({"combatants"})
_PLACE_LIKE = frozenset({"places_targeted", "facilities_hit"})
_START = attrgetter("start")
# Matches that are no modifier of a victim noun: "a strike killed civilians" counts no one.
_STOP_KINDS = (CASUALTY, COUNT_NOUN, GROUP, FACILITY, CUE_CROWD)
# Shared stand-in for the position table of a match kind the sentence lacks; never written to.
_NO_MATCHES: dict[int, Match] = {}


@dataclass(slots=True)
class CountMention:
    category: str | None
    group: str
    low: int | None
    high: int | None
    qualifier: str
    start: int  # token range of the evidence (number to noun / cue)
    end: int
    derived: bool = False
    parent: int | None = None  # index into the sentence's count list
    perpetrator: int | None = None  # actor index in the pack
    absurd: bool = False
    # "the toll since the start of the campaign rose to 220", "bringing the death toll to 35
    # since Friday": an aggregate cue in the figure's own clause makes it a running total, not
    # the toll of the incident the sentence reports
    running_total: bool = False


@dataclass(slots=True)
class _Scene:
    """One sentence's span and its matches by position: what every number in it looks up."""

    start: int
    end: int
    violent: bool
    mention_starts: set[int]
    kin_starts: set[int]
    casualty_start: dict[int, Match]
    casualty_end: dict[int, Match]
    toll: int | None  # where a toll phrase ("the death toll") starts
    noun_start: dict[int, Match]
    group_start: dict[int, Match]
    crowd_start: dict[int, Match]
    crowd_end: dict[int, Match]
    subset_start: dict[int, Match]
    including_end: dict[int, Match]
    facility_start: dict[int, Match]
    actors: list[Match]


class CountReader:
    def __init__(self, pack: LanguagePack) -> None:
        self.pack = pack
        self.numbers = NumberReader(pack)
        self.aux = pack.auxiliaries
        grammar = pack.grammar
        self.articles = grammar.articles
        self.bare_singular = grammar.bare_singular_is_one
        self.duals = grammar.dual_nouns
        self.possessives = grammar.possessives
        self.of_words = grammar.of_words
        self.coordinators = grammar.coordinators
        self.and_words = grammar.and_words
        self.either_words = grammar.and_words | grammar.or_words
        self.age_words = grammar.age_words
        self.age_suffixes = grammar.age_suffixes
        self.age_prefixes = grammar.age_prefixes
        self._age_suffix_firsts = frozenset(p[0] for p in grammar.age_suffixes if p)
        self.left_skip = grammar.left_skip
        self.toll_words = grammar.toll_words
        self.toll_verbs = grammar.toll_verbs
        self.bare_followers = grammar.bare_count_followers
        self.needs_violence = pack.needs_violence
        self.rules = pack.count_rules
        # words that end the phrase between an article and the victim it counts
        self.modifier_stops = (
            grammar.coordinators
            | grammar.of_words
            | grammar.possessives
            | self.aux
            | {grammar.definite_article}
        )
        self.armed_actor = frozenset(
            i for i, a in enumerate(pack.actors) if a.type in pack.armed_types
        )

    def read(
        self,
        tokens: Tokens,
        start: int,
        end: int,
        claimed: set[int],
        matches: dict[str, list[Match]],
        violent: bool,
    ) -> tuple[list[CountMention], list[NumberMention]]:
        """The counts of tokens [start, end) and the numbers read there: each number with what
        it counts, sub-counts tied to their whole, and only counts with a category kept."""
        numbers = self.numbers.read(tokens, start, end, claimed, matches)
        # "a 28-year-old activist", "aged 28": ages, never counts (the end of each age phrase
        # -> the token before it, where "a 28-year-old man" has its article)
        age_ends: dict[int, int] = {}
        if numbers:
            numbers = self._without_ages(tokens, numbers, start, end, age_ends)
        mentions = list(numbers)
        groups = matches.get(GROUP)
        kin_starts: set[int] = set()  # "his son": counts of one relative, by their token
        if groups:
            mentions = self._with_ones(tokens, start, end, matches, mentions, age_ends, kin_starts)
        if not mentions:
            return [], numbers
        if len(mentions) > 1:
            mentions.sort(key=_START)
        scene = self._scene(tokens, start, end, matches, violent, mentions, kin_starts)
        counts, by_facility = self._counted(tokens, mentions, scene)
        if len(by_facility) > 1:
            # "8 schools, 5 medical facilities and 3 bakeries": a breakdown by kind, kept on the
            # facilities themselves, not a count of facilities hit
            counts = _without(counts, {k for k, c in enumerate(counts) if c.start in by_facility})
        counts = self._settled(tokens, counts)
        if len(counts) > 1:  # one count has nothing to add up or merge with
            counts = _dedupe(self._with_sums(tokens, counts, scene.casualty_end))
        if counts and CUE_AGGREGATE in matches:
            _mark_running_totals(tokens, start, end, counts, matches[CUE_AGGREGATE])
        return _ordered(counts), numbers

    def _scene(
        self,
        tokens: Tokens,
        start: int,
        end: int,
        matches: dict[str, list[Match]],
        violent: bool,
        mentions: list[NumberMention],
        kin_starts: set[int],
    ) -> _Scene:
        """The sentence's matches by position, built once so each number looks them up."""
        keys = tokens.keys
        # Position tables of the sentence's matches; a kind the sentence lacks (most of them,
        # most of the time) shares one empty table instead of building its own.
        casualties = matches.get(CASUALTY)
        toll: int | None = None
        if casualties:
            casualty_start = {m.start: m for m in casualties}
            casualty_end = {m.end: m for m in casualties}
            toll_words = self.toll_words
            for m in casualties:
                if keys[m.end - 1] in toll_words:
                    toll = m.start
                    break
        else:
            casualty_start = casualty_end = _NO_MATCHES
        # ("in" and [] rather than .get(): no method call.)
        groups = matches.get(GROUP)
        if CUE_CROWD in matches:
            crowd_start = {m.start: m for m in matches[CUE_CROWD]}
            crowd_end = {m.end: m for m in matches[CUE_CROWD]}
        else:
            crowd_start = crowd_end = _NO_MATCHES
        return _Scene(
            start,
            end,
            violent,
            {n.start for n in mentions},
            kin_starts,
            casualty_start,
            casualty_end,
            toll,
            {m.start: m for m in matches[COUNT_NOUN]} if COUNT_NOUN in matches else _NO_MATCHES,
            {m.start: m for m in groups} if groups else _NO_MATCHES,
            crowd_start,
            crowd_end,
            {m.start: m for m in matches[CUE_SUBSET]} if CUE_SUBSET in matches else _NO_MATCHES,
            {m.end: m for m in matches[CUE_INCLUDING]} if CUE_INCLUDING in matches else _NO_MATCHES,
            {m.start: m for m in matches[FACILITY]} if FACILITY in matches else _NO_MATCHES,
            matches.get(ACTOR, []),
        )

    def _counted(
        self, tokens: Tokens, mentions: list[NumberMention], scene: _Scene
    ) -> tuple[list[CountMention], set[int]]:
        """The counts the sentence's numbers give, in order, and the numbers a facility word
        counts ("18 hospitals")."""
        end, subset_start, group_start = scene.end, scene.subset_start, scene.group_start
        counts: list[CountMention] = []
        by_facility: set[int] = set()  # numbers counted by a facility word ("18 hospitals")
        last_primary: int | None = None  # the latest count that is not itself a sub-count
        for n in mentions:
            if n.fraction is not None:
                derived = self._derived(
                    n, tokens, end, counts, last_primary, subset_start, group_start
                )
                if derived is not None:
                    counts.append(derived)
                continue
            # 1. the noun after the number
            category, group, ev_end, noun_found = self._noun_after(tokens, n, scene, by_facility)
            subset = subset_start.get(_after_joiners(tokens, n.end, end)) if subset_start else None
            if subset is not None and counts and not noun_found and category is None:
                # "19 of which were caused by Russian warplanes"
                sub = self._subset_count(tokens, n, subset, counts, last_primary, scene)
                if sub is not None:
                    counts.append(sub)
                continue
            count = self._count(
                tokens, n, scene, counts, last_primary, category, group, ev_end, noun_found
            )
            if count is not None:
                counts.append(count)
                if count.parent is None:
                    last_primary = len(counts) - 1
        return counts, by_facility

    def _count(
        self,
        tokens: Tokens,
        n: NumberMention,
        scene: _Scene,
        counts: list[CountMention],
        last_primary: int | None,
        category: str | None,
        group: str,
        ev_end: int,
        noun_found: bool,
    ) -> CountMention | None:
        """Steps 2-5 after the noun: the harm, list and whole of ``n``; None if it counts none."""
        # (The helpers below find nothing in an empty table: they are skipped then.)
        if category is None and scene.casualty_start:
            category, ev_end = self._harm_after(tokens, n, scene, counts, group, ev_end)
        if category is None and scene.casualty_end:
            category = self._harm_before(tokens, n, scene, noun_found)
        parent: int | None = None
        if noun_found and counts:
            prev = counts[-1]
            if self._listed(tokens.keys[prev.end : n.start]):
                if category is None:
                    category = prev.category
                parent = prev.parent
        if category is None and noun_found and (scene.casualty_start or scene.crowd_start):
            category = self._harm_in_clause(tokens, n, scene, group, ev_end)
        if category is None and not noun_found and n.end in scene.crowd_start:
            category = "crowd_size"  # "Thousands demonstrated in Azaz"
            ev_end = scene.crowd_start[n.end].end
            noun_found = True
        if counts and n.start in scene.including_end:
            parent = last_primary if last_primary is not None else len(counts) - 1
            category = _shared_harm(counts[parent], category)
        if category is None and not noun_found:
            return None
        if parent is not None and n.qualifier == "vague":
            return None  # "including many displaced families": nothing to count
        if not noun_found and parent is None and last_primary is not None:
            # "8 civilians were killed ... and 21 were injured": the bare figure counts the
            # group the sentence is about (ellipsis of the noun)
            group = counts[last_primary].group
        if n.start in scene.kin_starts and counts and group == "all":
            group = self._kin_group(tokens, n, counts[-1])
        # Positional arguments (derived, parent, perpetrator, absurd): the dataclass
        # __init__ is measurably cheaper without keywords.
        return CountMention(
            category,
            group,
            n.low,
            n.high,
            n.qualifier,
            n.start,
            ev_end,
            False,
            parent,
            None,
            n.absurd,
        )

    def _harm_after(
        self,
        tokens: Tokens,
        n: NumberMention,
        scene: _Scene,
        counts: list[CountMention],
        group: str,
        ev_end: int,
    ) -> tuple[str | None, int]:
        """ "12 civilians were killed", and the bare "75 were killed yesterday": the casualty
        word after the evidence, across auxiliaries, and the evidence's new end. A zero of
        two harms adds the zero counts of the others to ``counts``."""
        # (_casualty_right, inlined: the match itself gives the evidence's end)
        end, casualty_start = scene.end, scene.casualty_start
        cm = casualty_start.get(_skip_aux(tokens, ev_end, end, self.aux))
        category = cm.value if cm is not None else None
        if cm is None or category is None:
            return category, ev_end
        cm_end = cm.end
        second = casualty_start.get(cm_end + 1) if cm_end + 1 < end else None
        if (
            n.high == 0
            and second is not None
            and second.value != category
            and tokens.keys[cm_end] in self.either_words
        ):
            # "No one was killed or injured": zero of each
            counts.append(CountMention(second.value, group, 0, 0, n.qualifier, n.start, second.end))
        elif n.high == 0 and category == self.rules.combined_category:
            parts = self.rules.combined_parts
            category = parts[0]  # a zero of both harms is a zero of each
            for part in parts[1:]:
                counts.append(CountMention(part, group, 0, 0, n.qualifier, n.start, cm_end))
        return category, max(ev_end, cm_end)

    def _harm_before(
        self, tokens: Tokens, n: NumberMention, scene: _Scene, noun_found: bool
    ) -> str | None:
        """The harm a casualty word before the number gives it: "killing 5", "the killing of
        over 60 civilians", "the death toll ... has reached at least 126"."""
        toll = scene.toll
        if toll is not None and toll < n.start and (tokens.keys[n.start - 1] in self.toll_verbs):
            return "killed"
        left = self._casualty_left(tokens, n.start, scene.start, scene.casualty_end)
        if left is not None and (noun_found or self._ends_phrase(tokens, n.end, scene.end)):
            harm: str | None = left.value
            return harm
        return None

    def _listed(self, between: list[str]) -> bool:
        """True when the words between two counts make the second the next item of a list:
        "including 3 children and a woman, and 21 were injured", "killing a woman and her two
        children": the next item of a list shares the parent (and, when it has none, the
        category) of the item before it, whatever verb follows the list."""
        return (
            0 < len(between) <= 3
            and any(b in self.and_words for b in between)
            and all(b in self.coordinators or b in self.possessives for b in between)
        )

    def _harm_in_clause(
        self, tokens: Tokens, n: NumberMention, scene: _Scene, group: str, ev_end: int
    ) -> str | None:
        """The category a counted noun takes from further off in its clause: a crowd word
        before it, else a casualty or crowd word to its right."""
        keys, start, crowd_end = tokens.keys, scene.start, scene.crowd_end
        # "a crowd of 25,000 people", "crowd big, some 1,500 ppl": a crowd word earlier in
        # the clause makes people a crowd size
        if (
            group in ("all", "civilians")
            and crowd_end
            and any(
                q in crowd_end and not any(keys[r] in _CLAUSE_STOPS for r in range(q, n.start))
                for q in range(max(start, n.start - 6), n.start + 1)
            )
        ):
            return "crowd_size"
        return self._wide_right(
            tokens,
            ev_end,
            scene.end,
            scene.casualty_start,
            scene.crowd_start,
            scene.mention_starts,
            group,
        )

    def _kin_group(self, tokens: Tokens, n: NumberMention, prev: CountMention) -> str:
        """ "a farmer and his son": the relative of a civilian is counted with him."""
        keys = tokens.keys
        if prev.group in self.rules.kin_groups and all(
            b in self.coordinators for b in keys[prev.end : n.start]
        ):
            return prev.group
        return "all"

    def _subset_count(
        self,
        tokens: Tokens,
        n: NumberMention,
        subset: Match,
        counts: list[CountMention],
        last_primary: int | None,
        scene: _Scene,
    ) -> CountMention | None:
        """ "N of which/whom ...": a sub-count of a count before, with the group and the armed
        perpetrator its clause names; None when the clause only remarks on the victims."""
        parent = last_primary if last_primary is not None else len(counts) - 1
        clause_end = _clause_end(tokens, subset.end, scene.end, scene.mention_starts)
        perpetrator = self._armed_perpetrator(scene.actors, subset.end, clause_end)
        if perpetrator is not None:
            # An agent ("by Russian warplanes") makes it a share of the strikes or
            # casualties, not of the places or facilities listed in between.
            agentive = [
                k
                for k, c in enumerate(counts)
                if c.parent is None and c.category not in _PLACE_LIKE
            ]
            if agentive:
                parent = agentive[-1]
        pc = counts[parent]
        sub_group = pc.group
        named_group = False
        group_start = scene.group_start
        for q in range(subset.end, clause_end):
            gm = group_start.get(q)
            if gm is not None:
                sub_group = gm.value
                named_group = True
                break
        says_harm = any(q in scene.casualty_start for q in range(subset.end, clause_end))
        if perpetrator is None and not named_group and not says_harm:
            # "three of them remain in intensive care", "several of them critically":
            # a remark on the victims already counted, not a count of its own.
            return None
        return CountMention(
            pc.category,
            sub_group,
            n.low,
            n.high,
            n.qualifier,
            n.start,
            subset.end,
            parent=parent,
            perpetrator=perpetrator,
            absurd=n.absurd,
        )

    def _armed_perpetrator(self, actors: list[Match], begin: int, stop: int) -> int | None:
        """The first armed actor named in tokens [begin, stop): who carried out a sub-count."""
        for a in actors:
            if begin <= a.start < stop:
                armed: list[int] = [v for v in a.values if v in self.armed_actor]
                if armed:
                    return armed[0]
        return None

    def _noun_after(
        self, tokens: Tokens, n: NumberMention, scene: _Scene, by_facility: set[int]
    ) -> tuple[str | None, str, int, bool]:
        """What the noun after number ``n`` says it counts, skipping a few modifiers ("29 Syrian
        rebels"): (category, group, end of the evidence, whether a noun was found); a number
        a facility word counts goes into ``by_facility``."""
        keys, kinds = tokens.keys, tokens.kinds
        end, mention_starts = scene.end, scene.mention_starts
        facility_start, noun_start, group_start = (
            scene.facility_start,
            scene.noun_start,
            scene.group_start,
        )
        p = n.end
        skipped = 0
        while p < end and skipped <= 4:
            if kinds[p] == JOINER:
                p += 1
                continue
            # (a victim named alone in the singular is a mention of no width before its noun)
            if kinds[p] != WORD or (p in mention_starts and p != n.start):
                break
            if p in facility_start and p not in noun_start and p not in group_start:
                # "7 camps for displaced people": the number counts the camps, which in a
                # passage about violence are facilities hit ("18 health facilities have
                # been put out of service by airstrikes", "15 camps had been hit")
                if scene.violent and skipped == 0:
                    by_facility.add(n.start)
                    return "facilities_hit", "all", facility_start[p].end, True
                break
            cn = noun_start.get(p)
            gm = group_start.get(p)
            if cn is not None and (gm is None or cn.end >= gm.end):
                category = cn.value
                if category in self.needs_violence and not scene.violent:
                    break
                if category == "displaced" or category == "crowd_size":
                    category = self._crowd_or_harmed(tokens, n, cn, scene)
                group = gm.value if gm is not None and gm.end >= cn.end else "all"
                return category, group, cn.end, True
            if gm is not None:
                return None, gm.value, gm.end, True
            after = scene.casualty_start.get(p)
            if after is not None and skipped == 0:
                return after.value, "all", after.end, False
            if keys[p] in self.of_words and p + 1 < end and keys[p + 1] in self.possessives:
                p += 2  # "two of its volunteers"
                skipped += 1
                continue
            word = keys[p]
            acronym = tokens.text[tokens.starts[p] : tokens.ends[p]].isupper()
            if word in self.and_words and skipped > 0 and p + 1 < end and kinds[p + 1] == WORD:
                pass  # "70 regime and rebel fighters": coordinated modifiers
            elif not acronym and (  # "120 IS fighters": IS is a name, not the verb
                word in self.coordinators or word in self.aux or word in self.of_words
            ):
                break
            skipped += 1
            p += 1
        return None, "all", n.end, False

    def _crowd_or_harmed(self, tokens: Tokens, n: NumberMention, cn: Match, scene: _Scene) -> str:
        """The category of people counted by a crowd or displacement noun ``cn``: what happened
        to them when the sentence says so, else the crowd they make."""
        category: str = cn.value
        end = scene.end
        if category == "displaced" and any(
            q in scene.crowd_start for q in range(cn.end, min(end, cn.end + 3))
        ):
            # "2,000 displaced people protested": displaced people who march are a
            # crowd, not a displacement
            category = "crowd_size"
        if category == "crowd_size":
            # "six demonstrators were detained": what happened to them is counted
            harmed = self._casualty_right(tokens, cn.end, end, scene.casualty_start)
            if harmed is None and scene.casualty_end:
                # "killing two protesters": protesters harmed, not a crowd size
                left = self._casualty_left(tokens, n.start, scene.start, scene.casualty_end)
                harmed = left.value if left is not None else None
            if harmed is not None:
                category = harmed
        return category

    def _settled(self, tokens: Tokens, counts: list[CountMention]) -> list[CountMention]:
        """Counts with a category each: one left without takes it from the list it stands in,
        from its parts, or from the sentence's only casualty category; the others are dropped."""
        categories = [c.category for c in counts]
        if None not in categories:
            return counts  # nothing left to fill in or to drop
        if len(counts) > 1:
            self._coordinate(tokens, counts)
            for c in counts:
                # "Nine civilians, including three children and a woman, were killed"
                if c.parent is not None and counts[c.parent].category is None:
                    counts[c.parent].category = c.category
            categories = [c.category for c in counts]
        cats = set(categories).intersection(self.pack.casualty_words)
        if len(cats) == 1:
            only = next(iter(cats))
            for c in counts:
                if c.category is None:
                    c.category = only
            return counts
        return _without(counts, {k for k, c in enumerate(counts) if c.category is None})

    def _with_sums(
        self, tokens: Tokens, counts: list[CountMention], casualty_end: dict[int, Match]
    ) -> list[CountMention]:
        """ "three IS fighters and two rebel soldiers were killed": a list of figures of one harm
        and one group gets its total, a derived count placed before the items it adds up. An
        item that has its own verb ("four medics were killed and a nurse ...") ends the list."""
        runs: list[list[int]] = []
        keys = tokens.keys
        for k, c in enumerate(counts):
            if c.parent is not None or c.derived or c.category is None or c.absurd:
                continue
            if runs and runs[-1][-1] == k - 1:
                prev = counts[k - 1]
                between = keys[prev.end : c.start]
                if (
                    prev.category == c.category
                    and prev.group == c.group
                    and prev.end not in casualty_end
                    and 0 < len(between) <= 3
                    and all(b in self.coordinators for b in between)
                ):
                    runs[-1].append(k)
                    continue
            runs.append([k])
        runs = [r for r in runs if len(r) > 1]
        if not runs:
            return counts
        totals = {r[0]: _total([counts[k] for k in r]) for r in runs}
        out: list[CountMention] = []
        remap: dict[int, int] = {}
        part_of: dict[int, int] = {k: r[0] for r in runs for k in r}
        for k, c in enumerate(counts):
            total = totals.get(k)
            if total is not None:
                out.append(total)
                remap[-1 - k] = len(out) - 1  # the total of the run starting at k
            remap[k] = len(out)
            out.append(c)
        for k, c in enumerate(counts):
            if k in part_of:
                c.parent = remap[-1 - part_of[k]]
            elif c.parent is not None:
                c.parent = remap[c.parent]
        return out

    # -- pieces --------------------------------------------------------------------------
    def _with_ones(
        self,
        tokens: Tokens,
        start: int,
        end: int,
        matches: dict[str, list[Match]],
        numbers: list[NumberMention],
        age_ends: dict[int, int],
        kin_starts: set[int],
    ) -> list[NumberMention]:
        """``numbers`` plus a count of one for each victim named in the singular: "a child",
        "a woman", "a regime fighter", "his son" (the relatives' tokens go into ``kin_starts``)."""
        keys = tokens.keys
        mentions = list(numbers)
        number_starts = {n.value_start for n in numbers}
        number_firsts = {n.start for n in numbers}
        stops: set[int] | None = None  # where a phrase between an article and a victim ends
        ages: set[int] = set()
        for g in matches[GROUP]:
            art: int | None = age_ends.get(g.start, g.start - 1)  # "a 28-year-old man": one man
            if art is None or art < start:
                continue
            if keys[art] not in self.articles:
                if stops is None:
                    stops = number_starts.union(
                        *({m.start for m in matches.get(k, ())} for k in _STOP_KINDS)
                    )
                art = self._one_victim(tokens, g, art, start, stops, kin_starts, matches)
                if art is None:
                    continue
            phrase = " ".join(keys[g.start : g.end])
            if art not in number_starts and (
                g.value != "all" or phrase in self.pack.single_victims or phrase in self.duals
            ):
                # (the age, if any, stays inside: the noun after the figure is the group)
                stop = g.start if art != g.start - 1 else art + 1
                one = 2 if phrase in self.duals else 1
                mentions.append(
                    NumberMention(art, stop, art, one, one, one, "exact", word_form=True)
                )
                if g.end + 1 < end and keys[g.end] in self.age_words and g.end + 1 in number_firsts:
                    ages.add(g.end + 1)  # "a boy of 12": his age
        if ages:
            mentions = [n for n in mentions if n.start not in ages]
        return mentions

    def _one_victim(
        self,
        tokens: Tokens,
        g: Match,
        before: int,
        start: int,
        stops: set[int],
        kin_starts: set[int],
        matches: dict[str, list[Match]],
    ) -> int | None:
        """The token that makes group match ``g`` one victim when no article stands right before
        it: a possessive before a relative ("his son"), or an article a few words before a
        victim named in the singular ("a regime fighter", "an IS fighter")."""
        keys, kinds = tokens.keys, tokens.kinds
        phrase = " ".join(keys[g.start : g.end])
        if phrase in self.duals or (self.bare_singular and phrase in self.pack.single_victims):
            # not a word of a name ("المدني" in "الدفاع المدني", the civil defence), nor the
            # noun a figure counts ("١٢ مدنياً")
            named = any(m.start <= g.start and g.end <= m.end for m in matches.get(ORG, ()))
            counted = kinds[before] == NUM or keys[before] in self.pack.number_units
            return None if named or counted else g.start
        if keys[before] in self.possessives:
            if phrase not in self.rules.kin_words:
                return None  # "their children" is no count of one
            kin_starts.add(before)
            return before
        if phrase not in self.pack.single_victims or g.end in stops:
            return None  # "a heavy civilian death toll": a modifier, not a victim
        q = before
        for _ in range(self.rules.modifier_skip):
            if kinds[q] != WORD or q in stops or keys[q] in self.modifier_stops:
                return None
            q -= 1
            if q < start:
                return None
            if keys[q] in self.articles:
                return q
        return None

    def _without_ages(
        self,
        tokens: Tokens,
        numbers: list[NumberMention],
        start: int,
        end: int,
        age_ends: dict[int, int],
    ) -> list[NumberMention]:
        """The numbers that are no ages; each age suffix's end goes into ``age_ends``."""
        keys = tokens.keys
        kept: list[NumberMention] = []
        after_age = -1  # the token right after the last age read after a prefix
        for n in numbers:
            k = n.end
            while k < end and tokens.kinds[k] == JOINER:
                k += 1
            suffix_end = (
                self._suffix_end(tokens, k, end)
                if k < end and keys[k] in self._age_suffix_firsts
                else None
            )
            if suffix_end is not None:
                age_ends[suffix_end] = n.start - 1
                continue
            b = n.start - 1
            if b >= start and (
                keys[b] in self.age_prefixes
                or (b == after_age and (keys[b] == "," or keys[b] in self.and_words))
            ):
                after_age = n.end  # "aged 12 and 14": both are ages
                continue
            kept.append(n)
        return kept

    def _suffix_end(self, tokens: Tokens, k: int, end: int) -> int | None:
        """The end of an age suffix ("year-old", "years old") starting at token k, if any."""
        for suffix in self.age_suffixes:
            j = k
            for word in suffix:
                while j < end and tokens.kinds[j] == JOINER:
                    j += 1
                if j >= end or tokens.keys[j] != word:
                    break
                j += 1
            else:
                return j
        return None

    def _casualty_right(
        self, tokens: Tokens, p: int, end: int, casualty_start: dict[int, Match]
    ) -> str | None:
        q = _skip_aux(tokens, p, end, self.aux)
        cm = casualty_start.get(q)
        return cm.value if cm is not None else None

    def _casualty_left(
        self, tokens: Tokens, p: int, start: int, casualty_end: dict[int, Match]
    ) -> Match | None:
        keys, kinds = tokens.keys, tokens.kinds
        q = p
        steps = 0
        while q > start and steps <= 4:
            cm = casualty_end.get(q)
            if cm is not None:
                return cm
            prev = q - 1
            if kinds[prev] == PUNCT or kinds[prev] == NUM:
                return None
            if kinds[prev] != JOINER and keys[prev] not in self.left_skip:
                return None
            q = prev
            steps += 1
        return casualty_end.get(q)

    def _wide_right(
        self,
        tokens: Tokens,
        p: int,
        end: int,
        casualty_start: dict[int, Match],
        crowd_start: dict[int, Match],
        mention_starts: set[int],
        group: str,
    ) -> str | None:
        keys = tokens.keys
        stop = min(end, p + 12)
        for q in range(p, stop):
            if q in mention_starts or keys[q] in _CLAUSE_STOPS:
                return None
            cm = casualty_start.get(q)
            if cm is not None:
                return str(cm.value)
            if group not in _ARMED_GROUPS and crowd_start.get(q) is not None:
                return "crowd_size"  # "Dozens of women gathered"; fighters gathering are troops
        return None

    def _ends_phrase(self, tokens: Tokens, p: int, end: int) -> bool:
        """True when nothing noun-like follows a bare number ("killing 12 and injuring 30")."""
        if p >= end or tokens.kinds[p] == PUNCT:
            return True
        return tokens.keys[p] in self.bare_followers

    def _derived(
        self,
        n: NumberMention,
        tokens: Tokens,
        end: int,
        counts: list[CountMention],
        parent: int | None,
        subset_start: dict[int, Match],
        group_start: dict[int, Match],
    ) -> CountMention | None:
        """ "one-third of whom are children": a share of the count before."""
        if parent is None or n.fraction is None:
            return None
        subset = subset_start.get(_after_joiners(tokens, n.end, end))
        if subset is None:
            return None
        group: str | None = None
        q = subset.end
        stop = min(end, q + 4)
        while q < stop:
            gm = group_start.get(q)
            if gm is not None:
                group = gm.value
                q = gm.end
                break
            q += 1
        if group is None:
            return None
        pc = counts[parent]
        num, den = n.fraction
        low = math.ceil(pc.low * num / den) if pc.low is not None else None
        high = math.floor(pc.high * num / den) if pc.high is not None else None
        if low is not None and high is not None and low > high:
            # "15 killed, half of them children": 7.5 is no head count; 7 or 8 both fit
            low, high = high, low
        return CountMention(
            pc.category, group, low, high, pc.qualifier, n.start, q, derived=True, parent=parent
        )

    def _coordinate(self, tokens: Tokens, counts: list[CountMention]) -> None:
        """ "a child and two women were killed": categories flow back along a list."""
        keys = tokens.keys
        for k in range(len(counts) - 2, -1, -1):
            c, nxt = counts[k], counts[k + 1]
            if c.category is not None or nxt.category is None:
                continue
            between = keys[c.end : nxt.start]
            if len(between) <= 3 and all(b in self.coordinators for b in between):
                c.category = nxt.category


def _shared_harm(whole: CountMention, category: str | None) -> str | None:
    """The harm a part ("including N children") and its whole share: "killing 11 civilians,
    among them four children, and wounding 30": the part shares its whole's harm, whatever verb
    comes after it; a whole that has none yet ("Nine civilians, including three children, were
    killed") takes the part's."""
    if whole.category is not None:
        return whole.category
    if category is not None:
        whole.category = category
    return category


def _total(parts: list[CountMention]) -> CountMention:
    """The sum of a list of counts of one harm and group, marked derived."""
    first = parts[0]
    lows = [c.low for c in parts]
    highs = [c.high for c in parts]
    low = sum(x for x in lows if x is not None) if None not in lows else None
    high = sum(x for x in highs if x is not None) if None not in highs else None
    qualifiers = {c.qualifier for c in parts}
    # mixed qualifiers: an open sum is a floor, a closed one an estimate
    mixed = "at_least" if high is None else "about"
    qualifier = first.qualifier if len(qualifiers) == 1 else mixed
    return CountMention(
        first.category, first.group, low, high, qualifier, first.start, parts[-1].end, True
    )


_RUNNING_TOTAL_STOPS = _CLAUSE_STOPS | {","}


def _mark_running_totals(
    tokens: Tokens, start: int, end: int, counts: list[CountMention], cues: list[Match]
) -> None:
    """Marks the counts that share a clause (commas included) with an aggregate cue: "killed
    5 on Sunday, bringing the death toll to 35 since Friday" marks the 35 alone."""
    keys = tokens.keys
    stops = [q for q in range(start, end) if keys[q] in _RUNNING_TOTAL_STOPS]
    cue_clauses = {bisect_right(stops, m.start) for m in cues}
    for c in counts:
        if bisect_right(stops, c.start) in cue_clauses:
            c.running_total = True


def _ordered(counts: list[CountMention]) -> list[CountMention]:
    """No count leaves with its low bound above its high one, whatever rule made it."""
    for c in counts:
        if c.low is not None and c.high is not None and c.low > c.high:
            c.low, c.high = c.high, c.low
    return counts


def _dedupe(counts: list[CountMention]) -> list[CountMention]:
    """A headline restated in the first line gives the same figure twice: keep the first."""
    keys = [(c.category, c.group, c.low, c.high, c.parent is None, c.derived) for c in counts]
    if len(set(keys)) == len(keys):
        return counts  # no figure given twice (the common case): nothing to merge or renumber
    seen: dict[tuple[object, ...], int] = {}
    keep: list[CountMention] = []
    remap: dict[int, int] = {}
    for k, (c, key) in enumerate(zip(counts, keys, strict=True)):
        summed = (
            c.parent is not None and counts[c.parent].derived and counts[c.parent].parent is None
        )
        if c.category is not None and key in seen and not summed:
            remap[k] = seen[key]
            continue
        seen[key] = len(keep)
        remap[k] = len(keep)
        keep.append(c)
    for c in keep:
        if c.parent is not None:
            c.parent = remap.get(c.parent)
    return keep


def _without(counts: list[CountMention], drop: set[int]) -> list[CountMention]:
    """``counts`` less the indices in ``drop``, parents renumbered (a dropped parent's
    sub-counts lose their parent)."""
    remap: dict[int, int] = {}
    keep: list[CountMention] = []
    for k, c in enumerate(counts):
        if k not in drop:
            remap[k] = len(keep)
            keep.append(c)
    for c in keep:
        if c.parent is not None:
            c.parent = remap.get(c.parent)
    return keep


def _after_joiners(tokens: Tokens, i: int, end: int) -> int:
    while i < end and tokens.kinds[i] == JOINER:
        i += 1
    if i < end and tokens.keys[i] == ",":
        i += 1
    return i


def _skip_aux(tokens: Tokens, p: int, end: int, aux: frozenset[str]) -> int:
    steps = 0
    while p < end and steps < 4 and tokens.keys[p] in aux:
        p += 1
        steps += 1
    return p


def _clause_end(tokens: Tokens, p: int, end: int, mention_starts: set[int]) -> int:
    keys = tokens.keys
    while p < end and keys[p] not in _CLAUSE_STOPS and p not in mention_starts:
        p += 1
    return p
