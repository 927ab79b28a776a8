"""Language packs: everything the extraction engine knows about one language, as data files.

A pack is a folder ``lang/<code>/`` of YAML files (writing, events, actors, weapons, facilities,
counts, numbers, dates, orgs, persons, grammar, places). The engine reads only the
:class:`LanguagePack` built here, so another language is added by writing its folder, not by
touching the engine.

The loader is generic: every YAML file of the folder is read, and each field of
:class:`LanguagePack` reads the top-level key of its name (or of its ``key`` metadata) from the
one file that has it, converted by the field's annotated type (see ``_convert``). A *section*
(a dataclass with a ``FILE``: :class:`WritingSystem`, :class:`Grammar`, :class:`PersonCues`,
:class:`PlaceWords`) is filled the same way from its own file. A new list therefore needs only
its dataclass field and its YAML key. ``writing.yaml`` declares how the language is written
(letter case, digits, attached clitics), which the tokenizer and the capital-based rules read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, TypeVar, get_args, get_origin, get_type_hints

import yaml

LANG_DIR = Path(__file__).resolve().parent
# The files a complete pack has (every YAML file of the folder is read, these must be there).
PACK_FILES = (
    "writing",
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
    "places",
)


_T = TypeVar("_T")


class LanguagePackError(ValueError):
    """A language pack is missing or malformed."""


def _key(key: str) -> dict[str, Any]:
    """Field metadata: the field reads the YAML key ``key`` rather than its own name."""
    return {"key": key}


@dataclass(frozen=True, slots=True)
class KnownActor:
    id: str
    name: str
    type: str
    aliases: tuple[str, ...]


# eq=False: hashed by identity (it holds a dict), so per-script tables can be cached.
@dataclass(frozen=True, slots=True, eq=False)
class WritingSystem:
    """How the language is written (see ``writing.yaml``): what the engine may read from the
    letters themselves rather than from the words."""

    FILE: ClassVar[str] = "writing"
    # Whether letters have capitals; only then do capitals mark names and sentence starts.
    letter_case: bool = False
    # The characters a number token starts with.
    digits: str = "0123456789"
    # Clitics written attached to the end of a word and dropped from its lookup key.
    clitic_suffixes: tuple[str, ...] = ()
    # How a word's lookup key is normalised beyond lower case (see lang/ar/writing.yaml):
    # compatibility forms composed (presentation forms to letters, Unicode's NFKC), marks
    # dropped, letter forms folded. Evidence spans keep the characters as written.
    compatibility_forms: bool = False
    marks: str = ""
    folds: dict[str, str] = field(default_factory=dict)
    # An article written attached to the front of a word, dropped from its key.
    attached_article: str = ""
    # words whose article is part of the word ("today" is "the day")
    article_kept_in: frozenset[str] = frozenset()
    # endings dropped from a key as written ("سوقاً": the accusative's alef and its mark)
    dropped_endings: tuple[str, ...] = ()
    # Clitics written attached to the front of a word ("and", "with", "to"): a word the pack
    # does not know is split into the clitics and a word it knows, each a token of its own.
    conjunction_clitics: tuple[str, ...] = ()
    preposition_clitics: tuple[str, ...] = ()
    # prepositions before which the attached article loses its first letter ("li" + "al")
    article_elided_after: tuple[str, ...] = ()

    @property
    def normalises_keys(self) -> bool:
        """Whether word keys are more than lower case (a normal form, marks, folds, article)."""
        return bool(self.compatibility_forms or self.marks or self.folds or self.attached_article)


@dataclass(frozen=True, slots=True)
class Grammar:
    """Function words by the role the engine's rules give them (see ``grammar.yaml``)."""

    FILE: ClassVar[str] = "grammar"

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
    # no indefinite article: a victim named in the singular alone is one ("قتل طفل")
    bare_singular_is_one: bool = False
    # nouns written in the dual ("طفلان", two children): a count of two
    dual_nouns: frozenset[str] = frozenset()
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
    # "X was blamed on", "blamed for": after these the accusing verb's subject is the accused
    blame_prepositions: frozenset[str] = frozenset()
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

    FILE: ClassVar[str] = "persons"

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
class PlaceWords:
    """Words around place names (see ``places.yaml``): the glue of an address ("Saraqib in
    Idlib") and the phrase before a landmark ("northwest of Aleppo")."""

    FILE: ClassVar[str] = "places"

    address_glue: tuple[str, ...] = ()
    landmark_directions: tuple[str, ...] = ()
    landmark_links: tuple[str, ...] = ()
    landmark_articles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    name: str
    aliases: tuple[str, ...]


def _weapon_terms(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    return {
        str(k): _strs(_mapping(v, f"{where}.{k}")["terms"], f"{where}.{k}.terms")
        for k, v in _mapping(value, where).items()
    }


def _weapon_implies(value: Any, where: str) -> dict[str, str]:
    return {
        str(k): str(v["implies"])
        for k, v in _mapping(value, where).items()
        if "implies" in _mapping(v, f"{where}.{k}")
    }


@dataclass(frozen=True, slots=True)
class CountRules:
    """Where a figure is no count, and how counts combine (see ``counts.yaml``)."""

    FILE: ClassVar[str] = "counts"
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
    # the first and last years bare four-digit figures may name ("2014 airstrikes")
    years: tuple[int, int] = (0, -1)
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
    modifier_skip: int = field(default=0, metadata=_key("article_modifier_skip"))


def _senses(value: Any, where: str) -> EventSenses:
    """``events.yaml: senses``: its lists of rules are mappings, read here into tuples."""
    se = _mapping(value, where)
    capture = _mapping(se.get("capture", {}), f"{where}.capture")

    def words(d: dict[str, Any], key: str) -> frozenset[str]:
        return frozenset(_strs(d.get(key, []), f"{where}.{key}"))

    try:
        conditional = tuple(
            (str(c["type"]), str(c["context"]), _strs(c["triggers"], f"{where}.conditional"))
            for c in se.get("conditional", [])
        )
        retypes = tuple(
            (str(r["type"]), str(r["with"]), str(r["to"]), r.get("when") == "chosen")
            for r in se.get("retypes", [])
        )
    except (KeyError, TypeError) as exc:
        raise LanguagePackError(f"{where}: a rule lacks the key {exc}") from exc
    return EventSenses(
        contexts=_convert(dict[str, tuple[str, ...]], se.get("contexts", {}), f"{where}.contexts"),
        conditional=conditional,
        quiet=words(se, "quiet"),
        quiet_types=words(se, "quiet_types"),
        retypes=retypes,
        not_events=_strs(se.get("not_events", []), f"{where}.not_events"),
        abstract_objects=words(se, "abstract_objects"),
        verbal_types=words(se, "verbal_types"),
        capture=str(capture.get("type", "")),
        non_state_capture=str(capture.get("non_state", "")),
        state_gainers=words(capture, "state_gainers"),
        passive=words(capture, "passive"),
        state_side=words(capture, "state_side"),
        non_state_side=words(capture, "non_state_side"),
    )


# eq=False: packs hash by identity, so compiled matchers can be cached per pack.
@dataclass(frozen=True, slots=True, eq=False)
class LanguagePack:
    """The vocabulary of one language. Phrases are plain strings as written in the data files."""

    code: str
    # events
    event_priority: tuple[str, ...] = field(metadata=_key("priority"))
    event_triggers: dict[str, tuple[str, ...]] = field(metadata=_key("triggers"))
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
    actors: tuple[KnownActor, ...]
    weapons: dict[str, tuple[str, ...]] = field(metadata={"read": _weapon_terms})
    weapon_implies: dict[str, str] = field(metadata={"key": "weapons", "read": _weapon_implies})
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
    number_units: dict[str, int] = field(metadata=_key("units"))
    number_tens: dict[str, int] = field(metadata=_key("tens"))
    number_scales: dict[str, int] = field(metadata=_key("scales"))
    fractions: dict[str, int]
    qualifiers: dict[str, tuple[str, ...]]
    vague_quantities: dict[str, int] = field(metadata=_key("vague"))
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
    # "bringing the toll to 41", "to date": figures said to be running totals (counts.yaml)
    running_total_cues: tuple[str, ...] = ()
    count_rules: CountRules = field(default_factory=CountRules)
    senses: EventSenses = field(default_factory=EventSenses, metadata={"read": _senses})
    writing: WritingSystem = field(default_factory=WritingSystem)
    places: PlaceWords = field(default_factory=PlaceWords)
    # relative days counted from the last full date before them in the sentence, if any
    chained_days: dict[str, int] = field(default_factory=dict)


def _strs(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise LanguagePackError(f"{where}: expected a list, got {type(value).__name__}")
    out = []
    for item in value:
        if not isinstance(item, str | int):
            raise LanguagePackError(f"{where}: expected strings, got {item!r}")
        out.append(str(item))
    return tuple(out)


def _phrases(value: Any, where: str) -> tuple[tuple[str, ...], ...]:
    """Multi-word cues as token tuples, lower-cased like the tokenizer's keys."""
    return tuple(tuple(p.lower().split()) for p in _strs(value, where))


def _mapping(value: Any, where: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise LanguagePackError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _scalar(tp: type, value: Any, where: str) -> Any:
    if tp is bool:
        if not isinstance(value, bool):
            raise LanguagePackError(f"{where}: expected true or false, got {value!r}")
        return value
    if tp is int:
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise LanguagePackError(f"{where}: expected an integer ({exc})") from exc
    if not isinstance(value, str | int):
        raise LanguagePackError(f"{where}: expected a string, got {value!r}")
    return str(value)


def _convert(tp: Any, value: Any, where: str) -> Any:
    """``value`` as read from YAML, turned into the annotated type ``tp`` (the type says how:
    a ``frozenset[str]`` is a word set, a ``tuple[tuple[str, ...], ...]`` a list of phrases split
    into words, a ``dict[str, int]`` a table of integers, a dataclass a mapping of its fields)."""
    origin, args = get_origin(tp), get_args(tp)
    if tp is Any:
        return value
    if tp in (str, int, bool):
        return _scalar(tp, value, where)
    if dataclasses.is_dataclass(tp):
        return _section(tp, _mapping(value, where), where)  # type: ignore[arg-type]
    if origin is frozenset:
        return frozenset(_convert(tuple[args[0], ...], value, where))  # type: ignore[valid-type]
    if origin is dict:
        return {
            str(k): _convert(args[1], v, f"{where}.{k}") for k, v in _mapping(value, where).items()
        }
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if args[0] is str:
            return _strs(value, where)
        if args[0] == tuple[str, ...]:
            return _phrases(value, where)
        if not isinstance(value, list):
            raise LanguagePackError(f"{where}: expected a list, got {type(value).__name__}")
        return tuple(_convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is tuple:
        if not isinstance(value, list) or len(value) != len(args):
            raise LanguagePackError(f"{where}: expected a list of {len(args)}, got {value!r}")
        return tuple(_convert(a, v, where) for a, v in zip(args, value, strict=True))
    raise LanguagePackError(f"{where}: the loader has no reader for the type {tp!r}")


def _has_default(f: dataclasses.Field[Any]) -> bool:
    return f.default is not MISSING or f.default_factory is not MISSING


def _read_field(f: dataclasses.Field[Any], tp: Any, value: Any, where: str) -> Any:
    read = f.metadata.get("read")
    return read(value, where) if read is not None else _convert(tp, value, where)


def _section(cls: type[_T], data: dict[Any, Any], where: str) -> _T:
    """An instance of the dataclass ``cls`` whose fields are the keys of ``data``: each field
    reads the key of its name (or of its ``key`` metadata), converted by its annotated type."""
    hints = get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        key = f.metadata.get("key", f.name)
        if key in data:
            kwargs[f.name] = _read_field(f, hints[f.name], data[key], f"{where}: {key}")
        elif not _has_default(f):
            raise LanguagePackError(f"{where}: missing key {key!r}")
    return cls(**kwargs)


# The C safe loader (libyaml, shipped in PyYAML's wheels) where present: the same data, read
# faster, and the pack is read at every start of the command line.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except OSError as exc:
        raise LanguagePackError(f"cannot read language file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise LanguagePackError(f"invalid YAML in {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise LanguagePackError(f"{path}: expected a mapping at the top level")
    return data


def _pack_field(
    f: dataclasses.Field[Any], tp: Any, files: dict[str, dict[str, Any]], directory: Path
) -> tuple[Any, set[tuple[str, str]]]:
    """A field of :class:`LanguagePack` and the (file, key) pairs it read. A section (a
    dataclass with a ``FILE``) reads its own file; any other field reads the one file that has
    its key at the top level."""
    section = getattr(tp, "FILE", None)
    if section is not None:
        if section not in files:
            return MISSING, set()
        data = files[section]
        names = {g.metadata.get("key", g.name) for g in dataclasses.fields(tp)}
        return _section(tp, data, str(directory / f"{section}.yaml")), {
            (section, k) for k in data if k in names
        }
    key = f.metadata.get("key", f.name)
    holders = [name for name, data in files.items() if key in data]
    if len(holders) > 1:
        raise LanguagePackError(f"{directory}: key {key!r} is in several files: {holders}")
    if not holders:
        return MISSING, set()
    where = f"{directory / holders[0]}.yaml: {key}"
    return _read_field(f, tp, files[holders[0]][key], where), {(holders[0], key)}


def load_pack_from(directory: Path, code: str) -> LanguagePack:
    """Build a pack from a folder of data files (used for the packaged packs and for tests).

    Every YAML file of the folder is read; each field of :class:`LanguagePack` and of its
    sections is filled by its annotated type, so a new list needs only its dataclass field and
    its YAML key. Keys no field reads are kept in ``extra`` as ``"file.key"``."""
    files = {p.stem: _read(p) for p in sorted(directory.glob("*.yaml"))}
    hints = get_type_hints(LanguagePack)
    kwargs: dict[str, Any] = {"code": code}
    used: set[tuple[str, str]] = set()
    try:
        for f in dataclasses.fields(LanguagePack):
            if f.name in ("code", "extra"):
                continue
            value, read = _pack_field(f, hints[f.name], files, directory)
            if value is not MISSING:
                kwargs[f.name] = value
            elif not _has_default(f):
                raise LanguagePackError(f"{directory}: no file has the key {f.name!r}")
            used |= read
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, LanguagePackError):
            raise
        raise LanguagePackError(f"malformed language pack in {directory}: {exc!r}") from exc
    kwargs["extra"] = {
        f"{name}.{key}": value
        for name, data in files.items()
        for key, value in data.items()
        if (name, key) not in used
    }
    return LanguagePack(**kwargs)


def available_packs() -> list[str]:
    """The codes of the packaged languages (folders with every pack file)."""
    return sorted(
        d.name
        for d in LANG_DIR.iterdir()
        if d.is_dir() and all((d / f"{f}.yaml").is_file() for f in PACK_FILES)
    )


@lru_cache(maxsize=8)
def load_language_pack(code: str = "en") -> LanguagePack:
    """The packaged pack for ``code`` (``"en"``), loaded once and cached."""
    directory = LANG_DIR / code
    # a folder may hold some data of a language before its pack is whole (lang/ar holds only
    # the person cues the protection layer reads): a pack is a folder with every pack file
    if not code.isalpha() or not all((directory / f"{f}.yaml").is_file() for f in PACK_FILES):
        raise LanguagePackError(
            f"no language pack for {code!r} (the engine reads: {', '.join(available_packs())}); "
            "if the language is wrong, set 'language:' in the file's front matter"
        )
    return load_pack_from(directory, code)
