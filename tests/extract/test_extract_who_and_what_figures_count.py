"""Rules added in the third accuracy round (issue 4), each on sentences written for the test.

Who a figure counts (people named by role stay in "all"; women who gather are a crowd of women),
what a figure counts (displaced people who protest are a crowd, demonstrators who are detained are
detentions), how a total over several means is typed, and people leaving a place as displacement.
"""

from __future__ import annotations

from reports import reader

from marsad.contract.claim import Claim

run = reader("2019-06-15")


def counts_of(claim: Claim) -> set[tuple[str, str, int | None]]:
    return {(c.category, c.group, c.low) for c in claim.counts}


def test_displaced_people_who_protest_are_a_crowd() -> None:
    (claim,) = run("Some 2,000 displaced people protested on Friday in the camps around Atmeh.")
    assert counts_of(claim) == {("crowd_size", "all", 2000)}
    assert claim.event_type == "peaceful_protest"


def test_demonstrators_who_are_detained_are_counted_as_detained() -> None:
    text = "HTS forces dispersed a rally in Binnish. At least six demonstrators were detained."
    claims = run(text)
    found = {c for claim in claims for c in counts_of(claim)}
    assert ("detained", "all", 6) in found
    assert ("crowd_size", "all", 6) not in found


def test_a_crowd_of_women_keeps_its_group() -> None:
    (claim,) = run("Dozens of women gathered outside the court in Ariha yesterday.")
    assert counts_of(claim) == {("crowd_size", "women", 24)}


def test_medical_staff_and_activists_are_counted_by_role_not_as_rescue_workers() -> None:
    (claim,) = run("Russian jets hit a field hospital in Has on Wednesday, wounding two nurses.")
    assert counts_of(claim) == {("injured", "all", 2)}
    (claim,) = run("Military police arrested two media activists in al-Bab on Thursday.")
    assert counts_of(claim) == {("detained", "all", 2)}
    # the civil defence is still the rescue-worker group
    (claim,) = run("A barrel bomb on Ariha on Monday killed two civil defence volunteers.")
    assert ("killed", "rescue_workers", 2) in counts_of(claim)


def test_informal_abbreviations_in_posts() -> None:
    (claim,) = run("#Idlib today - Russian jets hit Saraqib market, 4 civs killed incl 2 kids.")
    assert counts_of(claim) == {("killed", "civilians", 4), ("killed", "children", 2)}
    children = next(c for c in claim.counts if c.group == "children")
    assert children.part_of is not None


def test_a_total_over_several_means_is_attacks_in_general() -> None:
    text = (
        "Last week our teams responded to 31 attacks on 14 communities in Idlib, including "
        "22 airstrikes and 9 artillery bombardments."
    )
    (claim,) = run(text)
    assert (claim.scope, claim.event_type) == ("aggregate", "attack")
    # one means only keeps its type
    (claim,) = run("Last week our teams responded to 22 airstrikes on 14 communities in Idlib.")
    assert claim.event_type == "air_strike"


def test_people_leaving_a_place_are_displaced() -> None:
    text = (
        "Regime forces shelled Maarat al-Numan on Monday. Local officials said over 12,000 "
        "people had left the area in the previous five days."
    )
    claims = run(text)
    moved = [c for c in claims if c.event_type == "displacement"]
    assert len(moved) == 1
    assert ("displaced", "all", 12001) in counts_of(moved[0])


def test_planes_are_an_air_strike() -> None:
    (claim,) = run("Russian planes struck the town of Sinjar on Monday, killing five people.")
    assert claim.event_type == "air_strike"


def test_qasr_written_with_an_epenthetic_vowel_matches() -> None:
    from marsad.gazetteer import default_gazetteer

    ids = {p.gazetteer_id for p in default_gazetteer().locate("Shelling hit Bustan al-Qasr.")}
    assert "ocha:N0204" in ids  # OCHA spells the Aleppo neighbourhood "Bustan Al-Qaser"


def test_headline_harm_without_a_figure_or_named_means_is_an_attack() -> None:
    # fourth round: "casualties and injuries in" and "assassinate" report an event on their own
    (claim,) = run("Casualties and injuries in a village in the western countryside of Hama")
    assert claim.event_type == "attack"
    assert [p.admin1_pcode for p in claim.places] == ["SY05"]
    (claim,) = run("Gunmen assassinate a local council member in Daraa countryside")
    assert claim.event_type == "attack"
    assert [p.admin1_pcode for p in claim.places] == ["SY12"]
