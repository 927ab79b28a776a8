"""Language packs: everything the extraction engine knows about one language, as data files.

A pack is a folder ``lang/<code>/`` of YAML files (events, actors, weapons, facilities, counts,
numbers, dates, orgs, persons). The engine reads only the :class:`LanguagePack` built here, so
another language is added by writing its folder, not by touching the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LANG_DIR = Path(__file__).resolve().parent
PACK_FILES = (
    "events",
    "actors",
    "weapons",
    "facilities",
    "counts",
    "numbers",
    "dates",
    "orgs",
    "persons",
    "grammar",
)


class LanguagePackError(ValueError):
    """A language pack is missing or malformed."""


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    type: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Grammar:
    """Function words by the role the engine's rules give them (see ``grammar.yaml``)."""

    articles: frozenset[str]
    definite_article: str
    keep_definite_before: frozenset[str]
    of_words: frozenset[str]
    possessives: frozenset[str]
    and_words: frozenset[str]
    or_words: frozenset[str]
    between_words: frozenset[str]
    from_words: frozenset[str]
    since_words: frozenset[str]
    ago_words: frozenset[str]
    number_range_words: frozenset[str]
    date_range_joiners: frozenset[str]
    year_cues: frozenset[str]
    month_context: frozenset[str]
    strict_upper_qualifiers: frozenset[str]
    share_words: dict[str, int]
    number_word_exclusions: frozenset[str]
    left_skip: frozenset[str]
    toll_words: frozenset[str]
    toll_verbs: frozenset[str]
    coordinators: frozenset[str]
    bare_count_followers: frozenset[str]
    relative_pronouns: frozenset[str]
    abbreviations: frozenset[str]
    age_words: frozenset[str] = frozenset()  # "a boy of 12", "a man aged 45": an age, not a count
    # "a 28-year-old activist", "aged 28": a number before a suffix or after a prefix is an age
    age_suffixes: tuple[tuple[str, ...], ...] = ()
    age_prefixes: frozenset[str] = frozenset()
    # "rebel-held", "IS-controlled": an actor named only as who holds a place is not the agent
    control_after: frozenset[str] = frozenset()
    # "held by IS", "under the control of the regime": the same, with the actor after the word
    control_before: tuple[tuple[str, ...], ...] = ()
    # "air strikes by Russian jets": the word introducing the agent of an event noun
    agent_words: frozenset[str] = frozenset()
    # "In Hass, four people were killed": a sentence opening on a place and a comma (see
    # grammar.yaml) starts a new incident in a report that lists several
    fronted_place_openers: frozenset[str] = frozenset()
    fronted_place_fillers: frozenset[str] = frozenset()
    # Accusation and agent frames (see grammar.yaml): who is said to have done it. The actor
    # after an accusing verb ("accused the army of gassing") or an agent phrase ("carried out
    # by IS", "blamed on the rebels") is the alleged agent; the actor before a responsibility
    # phrase ("IS claimed responsibility", "the regime was blamed") is too; the subject of the
    # accusing verb is only the accuser ("the opposition accused ...").
    accuse_verbs: frozenset[str] = frozenset()
    # "documented at least four attacks", "recorded 21 attacks": a monitor's own tally of
    # events, a total of its own rather than a detail of the incident before it
    tally_verbs: frozenset[str] = frozenset()
    # "It was the fourth attack on the town this month": an ordinal that counts the events so far
    ordinals: dict[str, int] = field(default_factory=dict)
    # "the second such attack": the word that makes the counted events the kind just reported
    such_words: frozenset[str] = frozenset()
    # "A poultry market in Ariha was destroyed": a facility put out of use after an attack
    damage_phrases: tuple[tuple[str, ...], ...] = ()
    agent_phrases: tuple[tuple[str, ...], ...] = ()
    responsibility_phrases: tuple[tuple[str, ...], ...] = ()
    # "the regime's warplanes", "Russia's jets": an actor owning the means is the agent
    instrument_words: frozenset[str] = frozenset()
    # Who says an actor did it (ActorRef.attribution): per attribution, the cues just before
    # and just after an actor mention ("alleged Russian strikes", "IS claimed responsibility")
    attribution_before: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    attribution_after: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    # "a Hezbollah position", "the headquarters of Ahrar al-Sham": the actor owns what was hit
    owned_targets: frozenset[str] = frozenset()
    target_openers: frozenset[str] = frozenset()  # "a", "of", "on": before "IS command position"
    # page furniture (tags lines, related links): the cues that open it and the words where the
    # report's own text resumes
    furniture_cues: tuple[tuple[str, ...], ...] = ()
    furniture_ends: frozenset[str] = frozenset()
    # "In a separate strike, ...": a sentence opening on these reports an incident of its own
    separate_words: frozenset[str] = frozenset()
    # "pro-regime areas", "the rebel stronghold of Qusayr": an actor naming whose places they are
    held_places: frozenset[str] = frozenset()
    # the auxiliaries of the passive: "the militant group were killed" (not "has killed")
    passive_aux: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class EventSenses:
    """What the words around an event word say about its sense (see ``events.yaml``: contexts
    and the rules that read them)."""

    # context label -> the phrases that put a sentence in that context ("earthquake": disaster)
    contexts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # (event type, context, phrases): words that report that type only in that context ("seized"
    # with "firearms" is a seizure of weapons)
    conditional: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    # contexts in which only a specific event word reports violence: weak and generic words,
    # weapons and bare casualty figures do not (disasters, accidents, disease, sport)
    quiet: frozenset[str] = frozenset()
    # the specific types whose words are figurative there too ("gained ground in their battle
    # against the wildfires")
    quiet_types: frozenset[str] = frozenset()
    # (type, context or type also in the sentence, type ACLED codes, whether the rule reads
    # only the type chosen: else it reads every candidate, which then ranks as its new type)
    retypes: tuple[tuple[str, str, str, bool], ...] = ()
    # phrases that open on an event word but report no event ("a demonstration of resolve")
    not_events: tuple[str, ...] = ()
    # nouns that make an attack or fight word verbal ("attacked the proposal", "fighting
    # deportation"), for the event types in `verbal_types`
    abstract_objects: frozenset[str] = frozenset()
    verbal_types: frozenset[str] = frozenset()
    # a capture is the government's when its agent's actor type is one of `state_gainers`,
    # else (or when a `non_state_side` context word is its agent) the non-state side's
    capture: str = ""
    non_state_capture: str = ""
    state_gainers: frozenset[str] = frozenset()
    passive: frozenset[str] = frozenset()
    # words of armed sides outside the actor list ("the army", "Taliban militants")
    state_side: frozenset[str] = frozenset()
    non_state_side: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PersonCues:
    """How cues for named individuals behave (see ``persons.yaml``): the keys of ``role_cues``
    that name a kind of cue rather than a role, and the words the person rules look at."""

    cue_roles: dict[str, str] = field(default_factory=dict)
    single_word_cues: frozenset[str] = frozenset()
    weak_cues: frozenset[str] = frozenset()
    before_only_cues: frozenset[str] = frozenset()
    kunya_particles: frozenset[str] = frozenset()
    place_prepositions: frozenset[str] = frozenset()
    harm_links: frozenset[str] = frozenset()
    harm_intransitive: tuple[str, ...] = ()
    list_joiners: frozenset[str] = frozenset()
    list_colons: frozenset[str] = frozenset()
    possessed: frozenset[str] = frozenset()
    possessive_endings: tuple[str, ...] = ()
    apposition_stops: frozenset[str] = frozenset()
    org_words: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    name: str
    aliases: tuple[str, ...]


# eq=False: packs hash by identity, so compiled matchers can be cached per pack.
@dataclass(frozen=True, slots=True, eq=False)
class LanguagePack:
    """The vocabulary of one language. Phrases are plain strings as written in the data files."""

    code: str
    # events
    event_priority: tuple[str, ...]
    event_triggers: dict[str, tuple[str, ...]]
    excessive_force_cues: tuple[str, ...]
    intervention_cues: tuple[str, ...]
    hypothetical_cues: tuple[str, ...]
    call_to_action_cues: tuple[str, ...]
    background_cues: tuple[str, ...]
    war_total_cues: tuple[str, ...]
    negation_cues: tuple[str, ...]
    aggregate_cues: tuple[str, ...]
    # actors, weapons, facilities, organisations
    armed_types: frozenset[str]
    actors: tuple[Actor, ...]
    weapons: dict[str, tuple[str, ...]]
    weapon_implies: dict[str, str]
    facilities: dict[str, tuple[str, ...]]
    organisations: tuple[Organisation, ...]
    report_cues: tuple[str, ...]
    # counts
    casualty_words: dict[str, tuple[str, ...]]
    count_nouns: dict[str, tuple[str, ...]]
    needs_violence: frozenset[str]
    crowd_cues: tuple[str, ...]
    victim_groups: dict[str, tuple[str, ...]]
    auxiliaries: frozenset[str]
    subset_cues: tuple[str, ...]
    including_cues: tuple[str, ...]
    # numbers
    number_units: dict[str, int]
    number_tens: dict[str, int]
    number_scales: dict[str, int]
    fractions: dict[str, int]
    qualifiers: dict[str, tuple[str, ...]]
    vague_quantities: dict[str, int]
    absurd_above: int
    war_total_above: int
    # dates
    months: dict[str, int]
    ambiguous_months: frozenset[str]
    weekdays: dict[str, int]
    ambiguous_weekdays: frozenset[str]
    ordinal_suffixes: frozenset[str]
    relative_days: dict[str, tuple[Any, int]]
    ago_units: dict[str, int]
    month_parts: dict[str, tuple[int, int]]
    interval_starts: frozenset[str]
    interval_joiners: frozenset[str]
    # persons
    role_cues: dict[str, tuple[str, ...]]
    speech_verbs: frozenset[str]
    name_particles: frozenset[str]
    not_names: frozenset[str]
    grammar: Grammar
    extra: dict[str, Any] = field(default_factory=dict)
    # Triggers that name their event type only when nothing more specific is said ("raids" is an
    # air strike, but "arrested 20 men in raids" is an arrest): see events.yaml.
    weak_triggers: frozenset[str] = frozenset()
    # Nouns naming one person by role ("a guard", "a pharmacist"): "killed a guard" counts one
    single_victims: frozenset[str] = frozenset()
    person_cues: PersonCues = field(default_factory=PersonCues)
    count_rules: CountRules = field(default_factory=lambda: CountRules())
    senses: EventSenses = field(default_factory=EventSenses)


def _strs(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise LanguagePackError(f"{where}: expected a list, got {type(value).__name__}")
    out = []
    for item in value:
        if not isinstance(item, str | int):
            raise LanguagePackError(f"{where}: expected strings, got {item!r}")
        out.append(str(item))
    return tuple(out)


def _str_lists(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise LanguagePackError(f"{where}: expected a mapping")
    return {str(k): _strs(v, f"{where}.{k}") for k, v in value.items()}


def _ints(value: Any, where: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise LanguagePackError(f"{where}: expected a mapping")
    try:
        return {str(k): int(v) for k, v in value.items()}
    except (TypeError, ValueError) as exc:
        raise LanguagePackError(f"{where}: expected integers ({exc})") from exc


def _read(directory: Path, name: str) -> dict[str, Any]:
    path = directory / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LanguagePackError(f"cannot read language file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise LanguagePackError(f"invalid YAML in {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise LanguagePackError(f"{path}: expected a mapping at the top level")
    return data


def load_pack_from(directory: Path, code: str) -> LanguagePack:
    """Build a pack from a folder of data files (used for the packaged packs and for tests)."""
    d = {name: _read(directory, name) for name in PACK_FILES}
    ev, ac, we, fa, co, nu, da, og, pe, gr = (d[n] for n in PACK_FILES)
    try:
        actors = tuple(
            Actor(str(a["id"]), str(a["name"]), str(a["type"]), _strs(a["aliases"], "actors"))
            for a in ac["actors"]
        )
        orgs = tuple(
            Organisation(str(o["id"]), str(o["name"]), _strs(o["aliases"], "organisations"))
            for o in og["organisations"]
        )
        relative: dict[str, tuple[Any, int]] = {}
        for phrase, (first, last) in da["relative_days"].items():
            relative[str(phrase)] = (first if isinstance(first, str) else int(first), int(last))
        return LanguagePack(
            code=code,
            event_priority=_strs(ev["priority"], "events.priority"),
            event_triggers=_str_lists(ev["triggers"], "events.triggers"),
            excessive_force_cues=_strs(ev["excessive_force_cues"], "events"),
            intervention_cues=_strs(ev["intervention_cues"], "events"),
            hypothetical_cues=_strs(ev["hypothetical_cues"], "events"),
            call_to_action_cues=_strs(ev["call_to_action_cues"], "events"),
            background_cues=_strs(ev["background_cues"], "events"),
            war_total_cues=_strs(ev["war_total_cues"], "events"),
            negation_cues=_strs(ev["negation_cues"], "events"),
            aggregate_cues=_strs(ev["aggregate_cues"], "events")
            + _strs(co.get("running_total_cues", []), "counts.running_total_cues"),
            armed_types=frozenset(_strs(ac["armed_types"], "actors.armed_types")),
            actors=actors,
            weapons={k: _strs(v["terms"], f"weapons.{k}") for k, v in we["weapons"].items()},
            weapon_implies={
                k: str(v["implies"]) for k, v in we["weapons"].items() if "implies" in v
            },
            facilities=_str_lists(fa["facilities"], "facilities"),
            organisations=orgs,
            report_cues=_strs(og["report_cues"], "orgs.report_cues"),
            casualty_words=_str_lists(co["casualty_words"], "counts.casualty_words"),
            count_nouns=_str_lists(co["count_nouns"], "counts.count_nouns"),
            needs_violence=frozenset(_strs(co["needs_violence"], "counts.needs_violence")),
            crowd_cues=_strs(co["crowd_cues"], "counts.crowd_cues"),
            victim_groups=_str_lists(co["victim_groups"], "counts.victim_groups"),
            auxiliaries=frozenset(_strs(co["auxiliaries"], "counts.auxiliaries")),
            subset_cues=_strs(co["subset_cues"], "counts.subset_cues"),
            including_cues=_strs(co["including_cues"], "counts.including_cues"),
            number_units=_ints(nu["units"], "numbers.units"),
            number_tens=_ints(nu["tens"], "numbers.tens"),
            number_scales=_ints(nu["scales"], "numbers.scales"),
            fractions=_ints(nu["fractions"], "numbers.fractions"),
            qualifiers=_str_lists(nu["qualifiers"], "numbers.qualifiers"),
            vague_quantities=_ints(nu["vague"], "numbers.vague"),
            absurd_above=int(nu["absurd_above"]),
            war_total_above=int(nu["war_total_above"]),
            months=_ints(da["months"], "dates.months"),
            ambiguous_months=frozenset(_strs(da["ambiguous_months"], "dates")),
            weekdays=_ints(da["weekdays"], "dates.weekdays"),
            ambiguous_weekdays=frozenset(_strs(da["ambiguous_weekdays"], "dates")),
            ordinal_suffixes=frozenset(_strs(da["ordinal_suffixes"], "dates")),
            relative_days=relative,
            ago_units=_ints(da["ago_units"], "dates.ago_units"),
            month_parts={str(k): (int(v[0]), int(v[1])) for k, v in da["month_parts"].items()},
            interval_starts=frozenset(_strs(da["interval_starts"], "dates")),
            interval_joiners=frozenset(_strs(da["interval_joiners"], "dates")),
            role_cues=_str_lists(pe["role_cues"], "persons.role_cues"),
            speech_verbs=frozenset(_strs(pe["speech_verbs"], "persons.speech_verbs")),
            name_particles=frozenset(_strs(pe["name_particles"], "persons.name_particles")),
            not_names=frozenset(_strs(pe["not_names"], "persons.not_names")),
            grammar=_grammar(gr),
            weak_triggers=frozenset(_strs(ev.get("weak_triggers", []), "events.weak_triggers")),
            single_victims=frozenset(_strs(co.get("single_victims", []), "counts.single_victims")),
            person_cues=_person_cues(pe),
            count_rules=_count_rules(co, nu),
            senses=_senses(ev.get("senses", {})),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, LanguagePackError):
            raise
        raise LanguagePackError(f"malformed language pack in {directory}: {exc!r}") from exc


@dataclass(frozen=True, slots=True)
class CountRules:
    """Where a figure is no count, and how counts combine (``numbers.yaml``, ``counts.yaml``)."""

    # "Brigade 47", "Street 12": a designator right before a figure names a unit or a place
    designators_before: frozenset[str] = frozenset()
    # "12 Baghdad Street": a place word after a figure (and the name between) makes it an address
    address_words: frozenset[str] = frozenset()
    # "at 0914", "0914 hours", "3 pm": clock times
    time_prefixes: frozenset[str] = frozenset()
    time_suffixes: frozenset[str] = frozenset()
    time_separators: frozenset[str] = frozenset()
    # "10-2014", "30-2017": a day or month joined by one of these to a year is part of a date
    date_separators: frozenset[str] = frozenset()
    # digits that read as a year ("2014 airstrikes") rather than a count
    year_min: int = 0
    year_max: int = -1
    # signs right before digits that make them a phone number ("+963")
    phone_signs: frozenset[str] = frozenset()
    # scale words that do not multiply a figure in digits ("12 dozen" is rare; "12 dozen eggs")
    digit_scale_exclusions: frozenset[str] = frozenset()
    # "killed and injured 8 people": phrases naming both harms at once -> the combined category
    combined_category: str = ""
    combined_parts: tuple[str, ...] = ()
    # "a farmer and his son": a relative named after a victim shares the victim's group
    kin_words: frozenset[str] = frozenset()
    kin_groups: frozenset[str] = frozenset()
    # "a regime fighter", "an IS fighter": words allowed between an article and a victim
    modifier_skip: int = 0


def _count_rules(co: dict[str, Any], nu: dict[str, Any]) -> CountRules:
    def words(d: dict[str, Any], key: str, where: str) -> frozenset[str]:
        return frozenset(_strs(d.get(key, []), f"{where}.{key}"))

    not_counts = nu.get("not_counts", {})
    combined = co.get("combined", {})
    years = not_counts.get("years", [0, -1])
    return CountRules(
        designators_before=words(not_counts, "designators_before", "numbers.not_counts"),
        address_words=words(not_counts, "address_words", "numbers.not_counts"),
        time_prefixes=words(not_counts, "time_prefixes", "numbers.not_counts"),
        time_suffixes=words(not_counts, "time_suffixes", "numbers.not_counts"),
        time_separators=words(not_counts, "time_separators", "numbers.not_counts"),
        date_separators=words(not_counts, "date_separators", "numbers.not_counts"),
        year_min=int(years[0]),
        year_max=int(years[1]),
        phone_signs=words(not_counts, "phone_signs", "numbers.not_counts"),
        digit_scale_exclusions=words(nu, "digit_scale_exclusions", "numbers"),
        combined_category=str(combined.get("category", "")),
        combined_parts=_strs(combined.get("parts", []), "counts.combined.parts"),
        kin_words=words(co, "kin_words", "counts"),
        kin_groups=words(co, "kin_groups", "counts"),
        modifier_skip=int(co.get("article_modifier_skip", 0)),
    )


def _person_cues(pe: dict[str, Any]) -> PersonCues:
    def words(key: str) -> frozenset[str]:
        return frozenset(_strs(pe.get(key, []), f"persons.{key}"))

    roles = pe.get("cue_roles", {})
    if not isinstance(roles, dict):
        raise LanguagePackError("persons.cue_roles: expected a mapping")
    return PersonCues(
        cue_roles={str(k): str(v) for k, v in roles.items()},
        single_word_cues=words("single_word_cues"),
        weak_cues=words("weak_cues"),
        before_only_cues=words("before_only_cues"),
        kunya_particles=words("kunya_particles"),
        place_prepositions=words("place_prepositions"),
        harm_links=words("harm_links"),
        harm_intransitive=tuple(
            " ".join(p) for p in _phrases(pe.get("harm_intransitive", []), "persons")
        ),
        list_joiners=words("list_joiners"),
        list_colons=words("list_colons"),
        possessed=words("possessed"),
        possessive_endings=_strs(pe.get("possessive_endings", []), "persons.possessive_endings"),
        apposition_stops=words("apposition_stops"),
        org_words=words("org_words"),
    )


def _senses(se: dict[str, Any]) -> EventSenses:
    if not isinstance(se, dict):
        raise LanguagePackError("events.senses: expected a mapping")
    capture = se.get("capture", {})
    return EventSenses(
        contexts=_str_lists(se.get("contexts", {}), "events.senses.contexts"),
        conditional=tuple(
            (str(c["type"]), str(c["context"]), _strs(c["triggers"], "events.senses.conditional"))
            for c in se.get("conditional", [])
        ),
        quiet=frozenset(_strs(se.get("quiet", []), "events.senses.quiet")),
        quiet_types=frozenset(_strs(se.get("quiet_types", []), "events.senses.quiet_types")),
        retypes=tuple(
            (str(r["type"]), str(r["with"]), str(r["to"]), r.get("when") == "chosen")
            for r in se.get("retypes", [])
        ),
        not_events=_strs(se.get("not_events", []), "events.senses.not_events"),
        abstract_objects=frozenset(_strs(se.get("abstract_objects", []), "events.senses")),
        verbal_types=frozenset(_strs(se.get("verbal_types", []), "events.senses")),
        capture=str(capture.get("type", "")),
        non_state_capture=str(capture.get("non_state", "")),
        state_gainers=frozenset(_strs(capture.get("state_gainers", []), "events.senses")),
        passive=frozenset(_strs(capture.get("passive", []), "events.senses")),
        state_side=frozenset(_strs(capture.get("state_side", []), "events.senses")),
        non_state_side=frozenset(_strs(capture.get("non_state_side", []), "events.senses")),
    )


def _grammar(gr: dict[str, Any]) -> Grammar:
    def words(key: str) -> frozenset[str]:
        return frozenset(_strs(gr[key], f"grammar.{key}"))

    return Grammar(
        articles=words("articles"),
        definite_article=str(gr["definite_article"]),
        keep_definite_before=words("keep_definite_before"),
        of_words=words("of_words"),
        possessives=words("possessives"),
        and_words=words("and_words"),
        or_words=words("or_words"),
        between_words=words("between_words"),
        from_words=words("from_words"),
        since_words=words("since_words"),
        ago_words=words("ago_words"),
        number_range_words=words("number_range_words"),
        date_range_joiners=words("date_range_joiners"),
        year_cues=words("year_cues"),
        month_context=words("month_context"),
        strict_upper_qualifiers=words("strict_upper_qualifiers"),
        share_words=_ints(gr["share_words"], "grammar.share_words"),
        number_word_exclusions=words("number_word_exclusions"),
        left_skip=words("left_skip"),
        toll_words=words("toll_words"),
        toll_verbs=words("toll_verbs"),
        coordinators=words("coordinators"),
        bare_count_followers=words("bare_count_followers"),
        relative_pronouns=words("relative_pronouns"),
        abbreviations=words("abbreviations"),
        age_words=frozenset(_strs(gr.get("age_words", []), "grammar.age_words")),
        age_suffixes=_phrases(gr.get("age_suffixes", []), "grammar.age_suffixes"),
        age_prefixes=frozenset(_strs(gr.get("age_prefixes", []), "grammar.age_prefixes")),
        control_after=frozenset(_strs(gr.get("control_after", []), "grammar.control_after")),
        control_before=tuple(
            tuple(p.split()) for p in _strs(gr.get("control_before", []), "grammar.control_before")
        ),
        agent_words=frozenset(_strs(gr.get("agent_words", []), "grammar.agent_words")),
        fronted_place_openers=frozenset(
            _strs(gr.get("fronted_place_openers", []), "grammar.fronted_place_openers")
        ),
        fronted_place_fillers=frozenset(
            _strs(gr.get("fronted_place_fillers", []), "grammar.fronted_place_fillers")
        ),
        accuse_verbs=frozenset(_strs(gr.get("accuse_verbs", []), "grammar.accuse_verbs")),
        tally_verbs=frozenset(_strs(gr.get("tally_verbs", []), "grammar.tally_verbs")),
        ordinals=_ints(gr.get("ordinals", {}), "grammar.ordinals"),
        such_words=frozenset(_strs(gr.get("such_words", []), "grammar.such_words")),
        damage_phrases=_phrases(gr.get("damage_phrases", []), "grammar.damage_phrases"),
        agent_phrases=_phrases(gr.get("agent_phrases", []), "grammar.agent_phrases"),
        responsibility_phrases=_phrases(
            gr.get("responsibility_phrases", []), "grammar.responsibility_phrases"
        ),
        instrument_words=frozenset(
            _strs(gr.get("instrument_words", []), "grammar.instrument_words")
        ),
        attribution_before=_phrase_sets(gr.get("attribution_before", {}), "attribution_before"),
        attribution_after=_phrase_sets(gr.get("attribution_after", {}), "attribution_after"),
        owned_targets=frozenset(_strs(gr.get("owned_targets", []), "grammar.owned_targets")),
        target_openers=frozenset(_strs(gr.get("target_openers", []), "grammar.target_openers")),
        furniture_cues=_phrases(gr.get("furniture_cues", []), "grammar.furniture_cues"),
        furniture_ends=frozenset(_strs(gr.get("furniture_ends", []), "grammar.furniture_ends")),
        separate_words=frozenset(_strs(gr.get("separate_words", []), "grammar.separate_words")),
        held_places=frozenset(_strs(gr.get("held_places", []), "grammar.held_places")),
        passive_aux=frozenset(_strs(gr.get("passive_aux", []), "grammar.passive_aux")),
    )


def _phrase_sets(value: Any, key: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    """A mapping of labels to cue phrases (``grammar.attribution_before`` and the like)."""
    if not isinstance(value, dict):
        raise LanguagePackError(f"grammar.{key} must map labels to lists of phrases")
    return {str(k): _phrases(v, f"grammar.{key}.{k}") for k, v in value.items()}


def _phrases(value: Any, where: str) -> tuple[tuple[str, ...], ...]:
    """Multi-word cues as token tuples, lower-cased like the tokenizer's keys."""
    return tuple(tuple(p.lower().split()) for p in _strs(value, where))


@lru_cache(maxsize=8)
def load_language_pack(code: str = "en") -> LanguagePack:
    """The packaged pack for ``code`` (``"en"``), loaded once and cached."""
    directory = LANG_DIR / code
    # a folder may hold some data of a language before its pack is whole (lang/ar holds only
    # the person cues the protection layer reads): a pack is a folder with every pack file
    if not code.isalpha() or not all((directory / f"{f}.yaml").is_file() for f in PACK_FILES):
        raise LanguagePackError(f"no language pack for {code!r}")
    return load_pack_from(directory, code)
