"""The one table that translates Marsad's taxonomy into the evaluation datasets' categories.

FA-KES labels each article with a governorate, a cause of death and an actor from small fixed
lists; UCDP names governorates its own way. Everything the harness needs to compare our claims
with those labels is in :data:`FAKES_CATEGORY_MAP` and :data:`UCDP_ADMIN1_PCODE` below, and
``docs/accuracy.md`` prints the same table (``mapping_markdown``), so a disputed score can be
traced to one line here.
"""

from __future__ import annotations

from typing import Final

from marsad.contract.claim import Claim

UNKNOWN: Final = "unknown"

FAKES_CATEGORY_MAP: Final[dict[str, dict[str, str]]] = {
    # Claim place admin1 P-code -> FA-KES ``location``. FA-KES has one label for Damascus city and
    # Rural Damascus (its rows about Douma or Eastern Ghouta say "damascus").
    "governorate_by_admin1_pcode": {
        "SY01": "damascus",
        "SY02": "aleppo",
        "SY03": "damascus",
        "SY04": "homs",
        "SY05": "hama",
        "SY06": "lattakia",
        "SY07": "idlib",
        "SY08": "hasakeh",
        "SY09": "deir ezzor",
        "SY10": "tartous",
        "SY11": "raqqa",
        "SY12": "daraa",
        "SY13": "sweida",
        "SY14": "quneitra",
    },
    # Checked first, in this order: a weapon decides the cause whatever the event type
    # (a car bomb is an "explosion" even in a passage typed as an attack).
    "cause_by_weapon": {
        "chemical": "chemical and toxic gases",
        "car_bomb": "explosion",
        "explosive_device": "explosion",
    },
    # A killing whose trigger word is one of these stems is an execution (FA-KES has the category;
    # Marsad types it as ``attack`` and keeps the trigger as ``event_type_evidence``).
    "execution_trigger_stems": {
        "execut": "execution",
        "behead": "execution",
        "slaughter": "execution",
    },
    # A generic trigger (event type ``attack``: "blast", "strikes", "gunmen") still names the
    # means; checked after the event type gives "unknown", first stem found in the trigger wins.
    "cause_by_generic_trigger_stem": {
        "blast": "explosion",
        "explo": "explosion",
        "detonat": "explosion",
        "bomb": "explosion",
        "strike": "shelling",
        "struck": "shelling",
        "raid": "shelling",
        "rocket": "shelling",
        "shot": "shooting",
        "sniper": "shooting",
        "gunmen": "shooting",
        "opened fire": "shooting",
        "gunfire": "shooting",
        "stabb": "execution",
        "slit": "execution",
        "assassinat": "shooting",
    },
    # Otherwise the event type decides. FA-KES "shelling" covers all bombardment, air or ground.
    # FA-KES annotators give "unknown" to battle deaths and to killings whose means the article
    # does not state, so clashes and untyped attacks map to "unknown" here (step 4 may refine).
    "cause_by_event_type": {
        "air_strike": "shelling",
        "shelling": "shelling",
        "chemical_weapon": "chemical and toxic gases",
        "remote_explosive": "explosion",
        "suicide_bomb": "explosion",
        "armed_clash": UNKNOWN,
        "attack": UNKNOWN,
        "excessive_force_against_protesters": "shooting",
        # a capture is a battle: FA-KES gives battles "unknown" (territory_change: stored data)
        "territory_change": UNKNOWN,
        "government_regains_territory": UNKNOWN,
        "non_state_overtakes_territory": UNKNOWN,
        "grenade": "explosion",
        "abduction": UNKNOWN,
        "arrest": UNKNOWN,
        "threat": UNKNOWN,
        "peaceful_protest": UNKNOWN,
        "protest_with_intervention": UNKNOWN,
        "displacement": UNKNOWN,
        "strategic_development": UNKNOWN,
    },
    # When the event type gives "unknown", a weapon named on the claim still tells the means.
    "cause_by_weapon_fallback": {
        "air_dropped_bomb": "shelling",
        "barrel_bomb": "shelling",
        "cluster_munition": "shelling",
        "artillery": "shelling",
        "rocket": "shelling",
        "missile": "shelling",
        "drone": "shelling",
        "incendiary": "shelling",
        "gunfire": "shooting",
    },
    # First perpetrator of the main incident, by actor id (lang/en/actors.yaml) ...
    "actor_by_id": {
        "sy_gov_forces": "syrian government or russian troops",
        "ru_forces": "syrian government or russian troops",
        "pro_gov_militias": "syrian government or russian troops",
        "iran_backed_militias": "syrian government or russian troops",
        "us_led_coalition": "international coalition forces",
        "islamic_state": "the organization of the islamic state in iraq and the levant - isis",
        "hts": "al-nusra front",
        "al_qaeda": "al-nusra front",
        "fsa": "armed opposition groups",
        "armed_opposition": "armed opposition groups",
        # FA-KES has no Turkish category; Turkish operations in its period were joint ones with
        # Syrian opposition factions.
        "tr_forces": "armed opposition groups",
        "sdf": "self administration forces",
    },
    # ... else by actor type (an actor id added to the language pack later still maps somewhere).
    "actor_by_type": {
        "state_forces": "syrian government or russian troops",
        "militia": "syrian government or russian troops",
        "non_state_armed_group": "armed opposition groups",
        "foreign_state_forces": UNKNOWN,
    },
}

# UCDP GED ``adm_1`` value -> OCHA admin1 P-code (the gazetteer's admin1_pcode).
UCDP_ADMIN1_PCODE: Final[dict[str, str]] = {
    "Damascus Governorate": "SY01",
    "Aleppo Governorate": "SY02",
    "Rif Dimashq Governorate": "SY03",
    "Homs Governorate": "SY04",
    "Hamah Governorate": "SY05",
    "Latakia Governorate": "SY06",
    "Idlib Governorate": "SY07",
    "Al Hasakah Governorate": "SY08",
    "Deir ez Zor Governorate": "SY09",
    "Tartus Governorate": "SY10",
    "Ar Raqqah Governorate": "SY11",
    "Daraa Governorate": "SY12",
    "As Suwayda Governorate": "SY13",
    "Quneitra Governorate": "SY14",
}


def fakes_governorate(admin1_pcode: str | None) -> str:
    """FA-KES ``location`` for an admin1 P-code ("unknown" when there is none)."""
    table = FAKES_CATEGORY_MAP["governorate_by_admin1_pcode"]
    return table.get(admin1_pcode or "", UNKNOWN)


def fakes_cause(claim: Claim | None) -> str:
    """FA-KES ``cause_of_death``: weapon, execution trigger, event type, then fallback weapon."""
    if claim is None:
        return UNKNOWN
    by_weapon = FAKES_CATEGORY_MAP["cause_by_weapon"]
    weapon_types = {w.type for w in claim.weapons}
    for weapon, cause in by_weapon.items():
        if weapon in weapon_types:
            return cause
    trigger = (claim.event_type_evidence.text if claim.event_type_evidence else "").lower()
    for stem, cause in FAKES_CATEGORY_MAP["execution_trigger_stems"].items():
        if stem in trigger:
            return cause
    cause = FAKES_CATEGORY_MAP["cause_by_event_type"].get(claim.event_type, UNKNOWN)
    if cause == UNKNOWN:
        for stem, by_trigger in FAKES_CATEGORY_MAP["cause_by_generic_trigger_stem"].items():
            if stem in trigger:
                return by_trigger
        for weapon, fallback in FAKES_CATEGORY_MAP["cause_by_weapon_fallback"].items():
            if weapon in weapon_types:
                return fallback
    return cause


def fakes_cause_of_article(main: Claim | None, claims: list[Claim]) -> str:
    """The cause for an article: the main claim's, else the first other claim's that names one.

    FA-KES gives one cause per article; when the sentence with the lead figure does not say how
    the victims died ("the death toll rose to 58"), the article's other passages about the
    event usually do ("a suspected gas attack").
    """
    cause = fakes_cause(main)
    if cause != UNKNOWN or main is None:
        return cause
    for claim in claims:
        if claim is not main and (other := fakes_cause(claim)) != UNKNOWN:
            return other
    return cause


def fakes_actor(claim: Claim | None) -> str:
    """FA-KES ``actor`` for a claim's first perpetrator ("unknown" when none is named)."""
    if claim is None or not claim.perpetrators:
        return UNKNOWN
    actor = claim.perpetrators[0]
    by_id = FAKES_CATEGORY_MAP["actor_by_id"]
    if actor.id in by_id:
        return by_id[actor.id]
    return FAKES_CATEGORY_MAP["actor_by_type"].get(actor.type, UNKNOWN)


def mapping_markdown() -> str:
    """The mapping tables as Markdown, for ``docs/accuracy.md``."""
    lines: list[str] = []
    titles = {
        "governorate_by_admin1_pcode": "Governorate (place admin1 P-code -> FA-KES location)",
        "cause_by_weapon": "Cause, step 1 (weapon on the claim -> FA-KES cause_of_death)",
        "execution_trigger_stems": "Cause, step 2 (event trigger word contains -> cause)",
        "cause_by_generic_trigger_stem": (
            "Cause, step 3a (when the event type gives unknown: trigger word contains -> cause)"
        ),
        "cause_by_event_type": "Cause, step 3 (event type -> cause)",
        "cause_by_weapon_fallback": "Cause, step 4 (when step 3 gives unknown: weapon -> cause)",
        "actor_by_id": "Actor, step 1 (first perpetrator id -> FA-KES actor)",
        "actor_by_type": "Actor, step 2 (first perpetrator type -> FA-KES actor)",
    }
    for key, table in FAKES_CATEGORY_MAP.items():
        lines += [f"**{titles[key]}**", "", "| Marsad | FA-KES |", "|---|---|"]
        lines += [f"| `{k}` | {v} |" for k, v in table.items()]
        lines.append("")
    lines += ["**UCDP adm_1 -> OCHA admin1 P-code**", "", "| UCDP | P-code |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in UCDP_ADMIN1_PCODE.items()]
    return "\n".join(lines) + "\n"


# --- CASE 2021 Task 2 --------------------------------------------------------------------------

# ACLED sub-event type (as the ACLED codebook spells it) -> CASE 2021 Task 2 ``SubType`` code.
# Every one of ACLED's 25 sub-event types is listed, whether or not the engine produces it yet, so
# a type the engine learns later is scored without touching this table.
CASE_CODE_BY_ACLED_SUB_EVENT: Final[dict[str, str]] = {
    "Peaceful protest": "PEACE_PROTEST",
    "Protest with intervention": "PROTEST_WITH_INTER",
    "Excessive force against protesters": "FORCE_AGAINST_PROTEST",
    "Violent demonstration": "VIOL_DEMONSTR",
    "Mob violence": "MOB_VIOL",
    "Armed clash": "ARMED_CLASH",
    "Government regains territory": "GOV_REGAINS_TERIT",
    "Non-state actor overtakes territory": "NON_STATE_ACTOR_OVERTAKES_TER",
    "Air/drone strike": "AIR_STRIKE",
    "Shelling/artillery/missile attack": "ART_MISS_ATTACK",
    "Remote explosive/landmine/IED": "REM_EXPLOS",
    "Suicide bomb": "SUIC_BOMB",
    "Chemical weapon": "CHEM_WEAP",
    "Grenade": "GRENADE",
    "Attack": "ATTACK",
    "Abduction/forced disappearance": "ABDUCT_DISSAP",
    "Sexual violence": "SEX_VIOL",
    "Agreement": "AGREEMENT",
    "Arrests": "ARREST",
    "Change to group/activity": "CHANGE_TO_GROUP_ACT",
    "Disrupted weapons use": "DISR_WEAP",
    "Headquarters or base established": "HQ_ESTABLISHED",
    "Looting/property destruction": "PROPERTY_DISTRUCT",
    "Non-violent transfer of territory": "NON_VIOL_TERRIT_TRANSFER",
    "Other": "OTHER",
}
CASE_CONFLICT_CLASSES: Final[tuple[str, ...]] = tuple(CASE_CODE_BY_ACLED_SUB_EVENT.values())
# The five CASE 2021 types that are not ACLED sub-events (never seen in the task's training data).
CASE_NON_CONFLICT_CLASSES: Final[tuple[str, ...]] = (
    "DIPLO",
    "ATTRIB",
    "MAN_MADE_DISASTER",
    "NATURAL_DISASTER",
    "ORG_CRIME",
)
# What a snippet is predicted as when the engine returns no claim, or a claim whose sub-event type
# is missing or not an ACLED name; both are misses for every class.
CASE_NO_CLAIM: Final = "none"
CASE_UNMAPPED: Final = "unmapped"

# ACLED event type of each sub-event type (the ACLED codebook's grouping).
ACLED_EVENT_TYPE_BY_SUB_EVENT: Final[dict[str, str]] = {
    "Armed clash": "Battles",
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Chemical weapon": "Explosions/Remote violence",
    "Air/drone strike": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Grenade": "Explosions/Remote violence",
    "Sexual violence": "Violence against civilians",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Violent demonstration": "Riots",
    "Mob violence": "Riots",
    "Peaceful protest": "Protests",
    "Protest with intervention": "Protests",
    "Excessive force against protesters": "Protests",
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Disrupted weapons use": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}
# ACLED's political-violence event types; protests and strategic developments are not violent.
VIOLENT_ACLED_EVENT_TYPES: Final = frozenset(
    {"Battles", "Explosions/Remote violence", "Violence against civilians", "Riots"}
)
VIOLENT_ACLED_SUB_EVENTS: Final = frozenset(
    sub for sub, kind in ACLED_EVENT_TYPE_BY_SUB_EVENT.items() if kind in VIOLENT_ACLED_EVENT_TYPES
)


def case_code(acled_sub_event_type: str | None) -> str:
    """The CASE 2021 code for an ACLED sub-event type name (``unmapped`` when it is not one)."""
    return CASE_CODE_BY_ACLED_SUB_EVENT.get(acled_sub_event_type or "", CASE_UNMAPPED)


def is_violent(claim: Claim) -> bool:
    """True when the claim's ACLED sub-event type belongs to a violent ACLED event type."""
    return claim.acled_sub_event_type in VIOLENT_ACLED_SUB_EVENTS


# --- Syrian Archive ----------------------------------------------------------------------------

# Syrian Archive ``weapons`` label -> the Marsad weapon types (contract.claim.WEAPONS) any of which
# counts as naming it. Soviet/Russian submunitions and their dispensers are cluster munitions;
# the ZAB bomblets are incendiary submunitions, so either reading is right. A label absent from
# this table has no Marsad counterpart and is reported as unmapped.
SYRIANARCHIVE_WEAPONS: Final[dict[str, tuple[str, ...]]] = {
    "Chemical Weapons": ("chemical",),
    "Chlorine Gas": ("chemical",),
    "Mustard Gas": ("chemical",),
    "Sarin": ("chemical",),
    "Cluster Munition": ("cluster_munition",),
    "RBK-500": ("cluster_munition",),
    "AO-2.5RT/RTM": ("cluster_munition",),
    "ShOAB-0.5": ("cluster_munition",),
    "PTAB-1M": ("cluster_munition",),
    "ZAB-2.5S": ("incendiary", "cluster_munition"),
    "ZAB-2.5SM": ("incendiary", "cluster_munition"),
    "Incendiary Weapons": ("incendiary",),
    "Barrel Bomb": ("barrel_bomb",),
    "9M79M Tochka": ("missile",),
    "Drone": ("drone",),
}
# Syrian Archive writes "None" where an incident has no weapon (or no governorate) recorded.
SYRIANARCHIVE_NONE: Final = "none"
# Syrian Archive governorate spellings that differ from the FA-KES labels ``fakes_governorate``
# returns. Both datasets give Damascus city and Rural Damascus one label ("DAMASCUS : Douma").
SYRIANARCHIVE_GOVERNORATE_ALIASES: Final[dict[str, str]] = {
    "rif dimashq": "damascus",
    "rural damascus": "damascus",
    "latakia": "lattakia",
    "deir ez-zor": "deir ezzor",
    "deir ez zor": "deir ezzor",
    "hasakah": "hasakeh",
    "al hasakah": "hasakeh",
    "tartus": "tartous",
    "suwayda": "sweida",
    "as suwayda": "sweida",
    "hamah": "hama",
    "ar raqqah": "raqqa",
}


def syrianarchive_governorate(label: str) -> str:
    """A Syrian Archive governorate as the FA-KES label (``unknown`` when none is recorded)."""
    name = " ".join(label.strip().lower().split())
    if not name or name == SYRIANARCHIVE_NONE:
        return UNKNOWN
    return SYRIANARCHIVE_GOVERNORATE_ALIASES.get(name, name)
