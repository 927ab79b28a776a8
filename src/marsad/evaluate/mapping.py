"""The one table that translates Marsad's taxonomy into the evaluation datasets' categories.

FA-KES labels each article with a governorate, a cause of death and an actor from small fixed
lists; UCDP names governorates its own way. Everything the harness needs to compare our claims
with those labels is in :data:`FAKES_CATEGORY_MAP` and :data:`UCDP_ADMIN1_PCODE` below, and
``docs/accuracy.md`` prints the same table (``mapping_markdown``), so a disputed score can be
traced to one line here.
"""

from __future__ import annotations

from typing import Final

from marsad.schema import Claim

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
