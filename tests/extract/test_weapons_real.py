"""Weapons as short incident captions name them: noun-phrase headlines, aftermath captions,
munition model names, a bomb that carries a gas, a modifier sharing the next phrase's head.
The sentences are written for these tests; the incidents in them are invented.
"""

from __future__ import annotations

from reports import reader

run = reader("2016-03-02")


def weapons(text: str) -> set[str]:
    """The weapon types of the text's one claim (fails when it has none or several)."""
    (claim,) = run(text)
    return {w.type for w in claim.weapons}


# -- noun-phrase captions -----------------------------------------------------------------


def test_a_chemical_attack_headline_names_the_chemical_weapon() -> None:
    assert weapons("Chemical attacks that hit the Jisr district of Saraqib") == {"chemical"}
    assert weapons("Wounded men treated after the poisoned gas attack in Binnish") == {"chemical"}
    assert "chemical" in weapons("Testimony of a nurse about the chemical gas attack in Kafr Nabl")


def test_a_cluster_caption_is_a_claim_with_its_weapon() -> None:
    assert "cluster_munition" in weapons("Rescuing the wounded in Binnish hit by cluster bombs")
    assert "cluster_munition" in weapons("The destruction in Kafr Nabl by the cluster bombs")


def test_an_aftermath_caption_keeps_its_weapon() -> None:
    # remnants and unexploded submunitions tell of the attack that left them
    assert "cluster_munition" in weapons("Rescuers removing unexploded cluster bombs in Saraqib")
    assert "incendiary" in weapons("Houses burning in Binnish after the phosphorus bombs fell")


def test_a_caption_of_no_weapon_and_no_violence_stays_empty() -> None:
    assert run("Interview with the mayor of Saraqib about the new school year") == []


# -- munition models -------------------------------------------------------------------------


def test_munition_model_names_are_weapons() -> None:
    assert "cluster_munition" in weapons("Remnants of an RBK-500 container found in Binnish")
    assert "cluster_munition" in weapons("AO-2.5RT bomblets scattered over a field near Saraqib")
    assert "cluster_munition" in weapons("A PTAB submunition struck a shop in Kafr Nabl")
    assert weapons("ZAB-2.5S submunitions set fire to houses in Binnish") >= {"incendiary"}
    assert "missile" in weapons("A Tochka missile struck a market in Saraqib, killing 3")
    assert "rocket" in weapons("Grad rockets hit the outskirts of Binnish, wounding 4")


# -- one weapon inside another ------------------------------------------------------------


def test_a_barrel_bomb_carrying_chlorine_is_both() -> None:
    got = weapons("A helicopter dropped a barrel bomb filled with chlorine gas on Kafr Nabl")
    assert got >= {"barrel_bomb", "chemical"}
    got = weapons("Wounded people after the barrel bomb which contained poisonous gases in Binnish")
    assert got >= {"barrel_bomb", "chemical"}


def test_a_modifier_shares_the_head_of_the_next_weapon() -> None:
    got = weapons("An airstrike with cluster and incendiary bombs on Saraqib killed 2 people")
    assert got >= {"cluster_munition", "incendiary"}
    got = weapons("Warplanes hit Binnish with cluster and other bombs")
    assert "cluster_munition" in got


def test_a_conjunction_alone_does_not_invent_a_weapon() -> None:
    # "schools and bombs": "schools bombs" is no weapon phrase
    assert weapons("Jets struck homes and shops with bombs in Saraqib") == {"air_dropped_bomb"}


# -- captions of the aftermath without a weapon word ------------------------------------------


def test_a_rubble_rescue_is_an_attack_claim() -> None:
    (claim,) = run("Rescuers pull two children out from under the rubble in Binnish")
    assert claim.event_type == "attack"


def test_a_rubble_rescue_after_an_earthquake_is_no_attack() -> None:
    assert run("Rescuers pulled a girl from under the rubble in Binnish after the earthquake") == []


def test_aircraft_named_as_striker_is_an_air_strike_but_an_overflight_is_not() -> None:
    (claim,) = run("Russian aviation destroys the bakery of Saraqib")
    assert claim.event_type == "air_strike"
    assert run("Russian aircraft flying over the countryside of Binnish this morning") == []
