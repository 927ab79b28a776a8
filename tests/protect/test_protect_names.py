"""The protected-name masker: every form of a name masked, ordinary text left alone, fast.

All names here are invented for the tests.
"""

from __future__ import annotations

import csv
import json
import random
import time

import pytest

from marsad.protect.names import (
    FORMS_FILE,
    MASK,
    NameMasker,
    ProtectedName,
    canonical_name,
    name_forms_of,
)
from paths import REPO

ROOT = REPO
SHARED = ROOT.parent / "shared"

HUDA = ProtectedName("Huda Qassem", ("هدى قاسم",))
OMAR = ProtectedName("Omar al-Hasan", ("عمر الحسن", "Abu Khalil"))
PERSONS: list[ProtectedName | str] = [
    HUDA,
    OMAR,
    "Rana Haddad",
    ProtectedName("Fatima al-Zoubi", ("فاطمة الزعبي",)),
    "Mohammed Darwazeh",
    "Ahmed Sukkar",
    "Ziad Ma'moun",
    ProtectedName("Hani Jabri", ("هانئ جابري", "مؤمن رفاعي")),
    "Nour Kayyali",
]


@pytest.fixture(scope="module")
def masker() -> NameMasker:
    return NameMasker(PERSONS)


def _check(masker: NameMasker, text: str, expected: list[str]) -> None:
    assert masker.found(text) == expected, text
    masked = masker.mask(text)
    assert len(masked) == len(text)
    for start, end in masker.spans(text):
        assert masked[start:end] == MASK * (end - start)
    # outside the spans nothing changed
    kept = [i for i, c in enumerate(masked) if c != MASK]
    assert all(masked[i] == text[i] for i in kept)


# -- what must be masked ---------------------------------------------------------------------

FULL_NAME = [
    ("Huda Qassem spoke first.", ["Huda Qassem"]),
    ("HUDA QASSEM", ["HUDA QASSEM"]),
    ("huda qassem", ["huda qassem"]),
    ("Huda   Qassem", ["Huda   Qassem"]),
    ("Huda\tQassem", ["Huda\tQassem"]),
    ("Huda\nQassem", ["Huda\nQassem"]),
    ("Huda\u00a0Qassem", ["Huda\u00a0Qassem"]),
    ("Huda-Qassem", ["Huda-Qassem"]),
    ("Hu\u200bda Qassem", ["Hu\u200bda Qassem"]),
    ("Huda Qas\u200dsem", ["Huda Qas\u200dsem"]),
    ("Huda\u200b Qassem", ["Huda\u200b Qassem"]),
    ("Huda\u200bQassem", ["Huda\u200bQassem"]),
    ("\u202eHuda Qassem\u202c", ["Huda Qassem"]),
    ("Hu\u202bda\u200f Qassem", ["Hu\u202bda\u200f Qassem"]),
    ("Qassem Huda", ["Qassem Huda"]),
    ("Omar al-Hasan", ["Omar al-Hasan"]),
    ("Omar Al Hasan", ["Omar Al Hasan"]),
    ("Omar alHasan", ["Omar alHasan"]),
    ("Omar Hasan", ["Omar Hasan"]),
    ("Omar el-Hasan", ["Omar el-Hasan"]),
]

SURNAME = [
    ("Qassem was there.", ["Qassem"]),
    ("qassem", ["qassem"]),
    ("Mr Qassem", ["Qassem"]),
    ("Qassem's car", ["Qassem's"]),
    ("Qassem\u2019s car", ["Qassem\u2019s"]),
    ("al-Hasan", ["al-Hasan"]),
    ("Al-Hasan", ["Al-Hasan"]),
    ("al Hasan", ["al Hasan"]),
    ("alHasan", ["alHasan"]),
    ("Alhasan", ["Alhasan"]),
    ("ul-Hasan", ["ul-Hasan"]),
    ("Hasan", ["Hasan"]),
    ("El Hasan", ["El Hasan"]),
    ("Haddad", ["Haddad"]),
    ("Sukkar", ["Sukkar"]),
]

TITLES = [
    ("Ms. Huda", ["Huda"]),
    ("Mrs Huda", ["Huda"]),
    ("Dr Huda", ["Huda"]),
    ("Dr. Huda", ["Huda"]),
    ("DR HUDA", ["HUDA"]),
    ("Sheikh Omar", ["Omar"]),
    ("Shaikh Omar", ["Omar"]),
    ("Shaykh Omar", ["Omar"]),
    ("Mr. Omar", ["Omar"]),
    ("sheikh omar", ["omar"]),
    ("Colonel Rana", ["Rana"]),
    ("Sheikh al-Omar", ["al-Omar"]),
    ("الشيخ عمر", ["عمر"]),
    ("د. هدى", ["هدى"]),
    ("والدكتور عمر", ["عمر"]),
]

KUNYA = [
    ("Abu Omar", ["Abu Omar"]),
    ("Abou Omar", ["Abou Omar"]),
    ("Umm Huda", ["Umm Huda"]),
    ("Um Huda", ["Um Huda"]),
    ("Oum Houda", ["Oum Houda"]),
    ("Abu Hasan", ["Abu Hasan"]),
    ("Abu al-Hasan", ["Abu al-Hasan"]),
    ("Abu Khalil", ["Abu Khalil"]),
    ("Omar bin Hasan", ["Omar bin Hasan"]),
    ("أبو عمر", ["أبو عمر"]),
    ("ابو عمر", ["ابو عمر"]),
    ("أم هدى", ["أم هدى"]),
    ("وأبو عمر", ["وأبو عمر"]),
]

TRANSLITERATION = [
    ("Qasem", ["Qasem"]),
    ("Kassem", ["Kassem"]),
    ("Gassem", ["Gassem"]),
    ("Ghassem", ["Ghassem"]),
    ("Qasim", ["Qasim"]),
    ("Kasim", ["Kasim"]),
    ("Cassem", ["Cassem"]),
    ("Houda Kassem", ["Houda Kassem"]),
    ("Hoda Qasim", ["Hoda Qasim"]),
    ("Dr Houda", ["Houda"]),
    ("Dr Hoda", ["Hoda"]),
    ("Sheikh Umar", ["Umar"]),
    ("Sheikh Omer", ["Omer"]),
    ("Hassan", ["Hassan"]),
    ("al-Hassan", ["al-Hassan"]),
    ("Dr Muhammad", ["Muhammad"]),
    ("Dr Mohamed", ["Mohamed"]),
    ("Dr Mohammad", ["Mohammad"]),
    ("Dr Mouhammad", ["Mouhammad"]),
    ("Mr Ahmad", ["Ahmad"]),
    ("Ahmad Sukar", ["Ahmad Sukar"]),
    ("Dr Fatimah", ["Fatimah"]),
    ("Fatimah al-Zoubi", ["Fatimah al-Zoubi"]),
    ("Fatima Zubi", ["Fatima Zubi"]),
    ("Mamoun", ["Mamoun"]),
    ("Ma\u2018mun", ["Ma\u2018mun"]),
    ("Ma\u02bfmoun", ["Ma\u02bfmoun"]),
    ("Maamoun", ["Maamoun"]),
    ("Qássem", ["Qássem"]),
    ("Qa\u0301ssem", ["Qa\u0301ssem"]),
    ("Darwaza", ["Darwaza"]),
    ("Kayali", ["Kayali"]),
    ("Kayyaly", ["Kayyaly"]),
    # a variant written in lower case counts next to another part of the name
    ("houda kassem", ["houda kassem"]),
    ("umar al-hassan", ["umar al-hassan"]),
]

ARABIC = [
    ("هدى قاسم", ["هدى قاسم"]),
    ("قاسم", ["قاسم"]),
    ("هُدى قاسِم", ["هُدى قاسِم"]),  # diacritics
    ("هدي قاسم", ["هدي قاسم"]),  # ى written ي
    ("قـــاسم", ["قـــاسم"]),  # tatweel
    ("\ufed7\ufe8e\ufeb3\ufee2", ["\ufed7\ufe8e\ufeb3\ufee2"]),  # presentation forms
    ("هدى\u200f قاسم", ["هدى\u200f قاسم"]),
    ("الحسن", ["الحسن"]),
    ("حسن", ["حسن"]),
    ("عمر الحسن", ["عمر الحسن"]),
    ("فاطمه الزعبى", ["فاطمه الزعبى"]),  # ة -> ه, ى -> ي
    ("الزعبي", ["الزعبي"]),
    ("هاني جابري", ["هاني جابري"]),  # ئ -> ي
    ("مومن رفاعي", ["مومن رفاعي"]),  # ؤ -> و
    ("إحمد سكر", []),  # (no such Arabic alias: alef forms are tested with عمر below)
    ("أعمر", []),
]

CLITICS = [(f"{clitic}قاسم", [f"{clitic}قاسم"]) for clitic in "وفبلك"] + [
    (f"{clitic}حسن", [f"{clitic}حسن"]) for clitic in ("ال", "وال", "بال", "لل", "فال", "كال")
]


@pytest.mark.parametrize(
    ("text", "expected"),
    FULL_NAME + SURNAME + TITLES + KUNYA + TRANSLITERATION + ARABIC + CLITICS,
)
def test_forms_masked(masker: NameMasker, text: str, expected: list[str]) -> None:
    _check(masker, text, expected)


def test_arabic_alef_forms() -> None:
    masker = NameMasker([ProtectedName("Ahmad Sukkar", ("أحمد سكر",))])
    for text in ("أحمد سكر", "احمد سكر", "إحمد سكر", "آحمد سكر", "ٱحمد سكر"):
        assert masker.found(text) == [text]


def test_title_stays_visible(masker: NameMasker) -> None:
    assert masker.mask("Dr. Huda left") == "Dr. " + MASK * 4 + " left"
    assert masker.mask("Abu Omar left") == MASK * 8 + " left"


def test_offsets_preserved_in_a_longer_text(masker: NameMasker) -> None:
    text = "On Monday Huda\u00a0Qassem told us that Abu Omar and وقاسم left; Qasem's son stayed."
    spans = masker.spans(text)
    assert [text[s:e] for s, e in spans] == ["Huda\u00a0Qassem", "Abu Omar", "وقاسم", "Qasem's"]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    masked = masker.mask(text)
    assert len(masked) == len(text)
    assert masked.startswith("On Monday " + MASK * 11 + " told us")


# -- what must not be masked -----------------------------------------------------------------

NOT_MASKED = [
    "ran",
    "Ran",
    "rain",
    "Rain",
    "Rene",
    "amor",
    "Amor",
    "has",
    "Has",
    "hasn't",
    "Here",
    "humor",
    "nor",
    "Omar",  # a given name alone is not masked (the surname or a title/kunya is needed)
    "Huda",
    "Houda",
    "Khalil",  # part of a kunya alias only
    "Hadda",
    "as",
    "known as",
    "anna",
    "Ali",
]


@pytest.mark.parametrize("text", NOT_MASKED)
def test_not_masked(masker: NameMasker, text: str) -> None:
    assert masker.found(text) == []
    assert masker.mask(text) == text


def test_ordinary_english_paragraph_untouched(masker: NameMasker) -> None:
    paragraph = (
        "Here is what happened. It rained all morning, and when the rain stopped the children "
        "ran to the square, where an old man who has lived there for decades sold tea. Nor did "
        "anyone expect the market to reopen so soon: the humour of the stall-keepers, their love "
        "of music and of amor songs on the radio, had outlasted the shelling. Has anything "
        "changed? Ask the teachers, as they know the families, and a doctor who ran the clinic "
        "said the new hospital will open in the autumn. Morning prayers, a hasty lunch, then "
        "home: so it goes in Idlib, in Harem, in the camps along the border."
    )
    assert masker.found(paragraph) == []


def test_known_limits_not_masked(masker: NameMasker) -> None:
    """Out of reach, documented: a vowel dropped or added with no title, kunya or other part
    of the name next to it; a Latin suffix. (Parts written with no separator, "HudaQassem",
    are masked now: see the glued-name test below.)"""
    for text in ("Fatmeh", "Jaberi", "Mhammad", "the Qassems"):
        assert masker.found(text) == [], text
    assert masker.found("HudaQassem") == ["HudaQassem"]


CONSONANTS_IN_CONTEXT = [
    ("Dr Fatmeh", ["Fatmeh"]),
    ("Fatmeh al-Zoubi", ["Fatmeh al-Zoubi"]),
    ("Dr Mhammad", ["Mhammad"]),
    ("Mr. Jaberi", ["Jaberi"]),
    ("Hani Jaberi", ["Hani Jaberi"]),
    ("Umm Kayalie", ["Umm Kayalie"]),
]


@pytest.mark.parametrize(("text", "expected"), CONSONANTS_IN_CONTEXT)
def test_consonants_alone_match_next_to_the_name(
    masker: NameMasker, text: str, expected: list[str]
) -> None:
    _check(masker, text, expected)


def test_consonants_alone_never_pair_with_each_other() -> None:
    masker = NameMasker(["Tariq Jabrawi", "Mahmoud Darwazi", "Ahmad Sukkariyeh"])
    for text in ("via Turkey through", "Hamdo Hamdo", "Mohammed Mahmoud", "Omar Omar"):
        assert masker.found(text) == [], text


def test_other_readings_of_letters() -> None:
    masker = NameMasker(["Anas Tabbakh", "Kinda Bitar"])
    assert masker.found("Tabbach") == ["Tabbach"]  # ch read as kh
    assert masker.found("Abu Tabbach") == ["Abu Tabbach"]
    assert masker.found("Baytar") == ["Baytar"]  # ay for i
    assert masker.found("kinda baytar") == ["kinda baytar"]


def test_article_only_masked_with_its_own_letter(masker: NameMasker) -> None:
    assert masker.found("known as Hasan") == ["Hasan"]
    assert masker.found("Omar as-Hasan") == ["Omar as-Hasan"]  # with a hyphen it is an article
    sayyid = NameMasker(["Hiba al-Sayyid"])
    assert sayyid.found("met as Sayyid") == ["as Sayyid"]


def test_common_word_names_fail_closed() -> None:
    masker = NameMasker(["Amal Said", "Hope Rose"])
    assert masker.found("He said that there was hope.") == ["said"]
    assert masker.found("Dr Hope arrived") == ["Hope"]
    assert masker.found("a rose") == ["rose"]


# -- the project's own texts -----------------------------------------------------------------

INVENTED_30: list[ProtectedName | str] = [
    ProtectedName("Layla Darwazeh", ("ليلى دروزة",)),
    ProtectedName("Yasmin Zeitouni", ("ياسمين زيتوني",)),
    ProtectedName("Walid Oweisat", ("وليد عويسات",)),
    ProtectedName("Karim Bitarji", ("كريم بيطرجي",)),
    ProtectedName("Dalia Sabbouh", ("داليا سبوح",)),
    ProtectedName("Iman Rifaiyeh", ("إيمان رفاعية",)),
    ProtectedName("Jamil Hourieh", ("جميل حورية",)),
    ProtectedName("Nisreen Kayyali", ("نسرين كيالي",)),
    ProtectedName("Ghassan Tellawi", ("غسان تلاوي",)),
    ProtectedName("Muhannad Qaddourah", ("مهند قدورة",)),
    "Reem Shaabanieh",
    "Tariq Jabrawi",
    "Salma Qudsiyeh",
    "Ziad Ma'mounieh",
    "Hiba Sayyidawi",
    "Amal Dabbaghieh",
    "Marwan Kurdaghli",
    "Fadi Zeitawi",
    "Basel Attarji",
    "Nadia Homsieh",
    "Sawsan Issawi",
    "Lina Shamiyeh",
    "Yasmin Abu Shakraa",
    "Bashir Tayyibawi",
    "Mona Halbouni",
    "Ahmad Sukkariyeh",
    "Mahmoud Darwazi",
    "Rana Haddadin",
    "Huda Qassemi",
    "Omar Hasanawi",
]


def _project_texts() -> dict[str, str]:
    texts = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "examples/reports").iterdir()}
    for line in (ROOT / "eval/gold/gold.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        texts[item["id"]] = item["text"]
    # shared material is read where it is, never copied; absent on some machines
    for path in sorted((SHARED / "seeds").glob("*")) if (SHARED / "seeds").is_dir() else []:
        texts[path.name] = path.read_text(encoding="utf-8")
    investigations = SHARED / "eval/syrianarchive_investigations_ar_en.jsonl"
    if investigations.is_file():
        for i, line in enumerate(investigations.read_text(encoding="utf-8").splitlines()):
            texts[f"investigation-{i}"] = "\n".join(str(v) for v in json.loads(line).values())
    protests = SHARED / "eval/arabic_event_gsr_protest_gsr.csv"
    if protests.is_file():
        with protests.open(encoding="utf-8", newline="") as f:
            csv.field_size_limit(1 << 24)
            for i, row in enumerate(csv.reader(f)):
                texts[f"protest-{i}"] = "\n".join(row)
    return texts


@pytest.fixture(scope="module")
def project_texts() -> dict[str, str]:
    return _project_texts()


# Forms of the invented names that really occur in those texts (other people who share a given
# name or a surname): found, as they must be. Anything else found is over-masking.
REAL_OCCURRENCES = {
    "Abu Omar",  # a village named with the kunya of Omar (Omar Hasanawi)
    "Waleed",  # "Dr. Waleed ...": a title before a spelling of Walid (Walid Oweisat)
    "وليد",  # the same in Arabic, after a title
    "Al Homsy",  # a spelling of Homsieh (Nadia Homsieh)
    "حورية",  # the Arabic surname of Jamil Hourieh, also a word
    "نسرين",  # the given name of Nisreen Kayyali after a title
    "Kadour",  # "Haj Kadour": a title before a spelling of Qaddourah, one vowel fewer
    "Kaddour",
}


def test_only_real_occurrences_found_in_project_texts(project_texts: dict[str, str]) -> None:
    masker = NameMasker(INVENTED_30)
    found = {key: masker.found(text) for key, text in project_texts.items()}
    unexpected = {key: f for key, f in found.items() if set(f) - REAL_OCCURRENCES}
    assert unexpected == {}
    assert sum(len(t) for t in project_texts.values()) > 10_000


def test_planted_names_found_exactly_where_planted(project_texts: dict[str, str]) -> None:
    masker = NameMasker(INVENTED_30)
    rng = random.Random(3)
    planted_forms = [
        "Layla Darwazeh",
        "Dr. Jamil",
        "Abu Ghassan",
        "ليلى دروزة",
        "ودروزة",
        "Zeitouni",
        "Kayali",
        "Qaddoura",
        "Umm Nisreen",
    ]
    for key in sorted(project_texts)[:300]:
        text = project_texts[key]
        form = rng.choice(planted_forms)
        cut = text.find(" ", rng.randrange(len(text) + 1))
        cut = len(text) if cut < 0 else cut
        insert = f" {form} "
        planted = text[:cut] + insert + text[cut:]
        masked = form.split(" ", 1)[1] if form.startswith("Dr.") else form
        start = cut + insert.index(masked)
        before = [(s, e) for s, e in masker.spans(text) if e <= cut]
        after = [(s + len(insert), e + len(insert)) for s, e in masker.spans(text) if s >= cut]
        expected = [*before, (start, start + len(masked)), *after]
        assert masker.spans(planted) == expected, key


# -- the interface ---------------------------------------------------------------------------


def test_empty_masker_is_a_no_op() -> None:
    empty = NameMasker(())
    assert not empty
    assert empty.spans("Huda Qassem") == []
    assert empty.mask("Huda Qassem") == "Huda Qassem"
    assert empty.mask(None) == ""
    value = {"a": ["Huda", ("Qassem",)], "b": 3}
    assert empty.mask_value(value) == value
    assert not NameMasker(["", ProtectedName("", ("",))])


def test_masker_is_true_with_a_name(masker: NameMasker) -> None:
    assert masker
    assert NameMasker(["Huda Qassem"])


def test_mask_none_and_empty(masker: NameMasker) -> None:
    assert masker.mask(None) == ""
    assert masker.mask("") == ""
    assert masker.spans("") == []


def test_mask_value_deep(masker: NameMasker) -> None:
    value = {
        "title": "Huda Qassem spoke",
        "items": ["Qassem", ("Abu Omar", 5, None), {"deep": ["Dr Huda"]}],
        "count": 3,
        "ratio": 0.5,
        "flag": True,
        "Qassem": "key stays",
    }
    masked = masker.mask_value(value)
    assert masked == {
        "title": MASK * 11 + " spoke",
        "items": [MASK * 6, (MASK * 8, 5, None), {"deep": ["Dr " + MASK * 4]}],
        "count": 3,
        "ratio": 0.5,
        "flag": True,
        "Qassem": "key stays",
    }
    assert isinstance(masked["items"][1], tuple)
    assert value["title"] == "Huda Qassem spoke"  # the input is not changed


def test_persons_given_as_strings_and_aliases() -> None:
    masker = NameMasker(["Huda Qassem", ProtectedName("Omar al-Hasan", ("Hudhud",))])
    assert masker.found("Hudhud and Qassem") == ["Hudhud", "Qassem"]


def test_two_persons_next_to_each_other(masker: NameMasker) -> None:
    assert masker.found("Qassem, Haddad and Hasan") == ["Qassem", "Haddad", "Hasan"]


def test_masker_used_again_gives_the_same_answer(masker: NameMasker) -> None:
    text = "Qasem and the rain, Dr Houda and Kassem"
    assert masker.found(text) == masker.found(text) == ["Qasem", "Houda", "Kassem"]


# -- keys and documentation ------------------------------------------------------------------


def test_canonical_name_folds_writing_differences() -> None:
    key = canonical_name("Omar al-Hasan")
    for same in ("omar  al hasan", "OMAR AL-HASAN", "Dr. Omar al-Hasan", "Omar al\u200b-Hasan"):
        assert canonical_name(same) == key
    assert canonical_name("Qássem") == canonical_name("Qassem")
    assert canonical_name("الشيخ أحمد") == canonical_name("احمد")
    assert canonical_name("فاطمة") == canonical_name("فاطمه")
    # transliteration variants may be two people: the key keeps them apart
    assert canonical_name("Hasan") != canonical_name("Hassan")
    assert canonical_name("Dr") == "dr"


def test_name_forms_of_lists_masked_forms() -> None:
    forms = name_forms_of("Omar al-Hasan")
    for expected in ("Omar al-Hasan", "Hasan", "al-Hasan", "Abu Omar", "Umm Omar", "Dr Omar"):
        assert expected in forms
    assert "Omar" not in forms
    assert any(f.startswith("Umar") for f in forms)
    masker = NameMasker(["Omar al-Hasan"])
    assert all(masker.spans(form) for form in forms)
    arabic = name_forms_of("هدى قاسم")
    assert {"هدى قاسم", "قاسم", "أبو هدى", "وقاسم"} <= set(arabic)


def test_word_lists_are_in_the_package_data() -> None:
    assert FORMS_FILE.name == "name_forms.yaml"
    assert FORMS_FILE.parent == REPO / "src/marsad/protect"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"**/*.yaml"' in pyproject


# -- hostile input ---------------------------------------------------------------------------

HOSTILE = {
    "10 MB of one letter": lambda: "a" * 10_000_000,
    "200,000 distinct tokens": lambda: " ".join(
        "".join(random.Random(i).choices("abcdefghiklmnoqrstuyz", k=3 + i % 7))
        for i in range(200_000)
    ),
    "NUL bytes": lambda: "\x00" * 1_000_000 + "Qassem" + "\x00" * 1000,
    "mixed scripts": lambda: "Hudaهدى Ωμέγα 漢字 Qas\u0661sem ١٢٣ " * 20_000,
    "lone surrogates": lambda: "Huda \udcff Qassem\udcff text " * 20_000,
    "format controls only": lambda: "\u200b" * 1_000_000,
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_returns_quickly(masker: NameMasker, name: str) -> None:
    text = HOSTILE[name]()
    started = time.perf_counter()
    masked = masker.mask(text)
    took = time.perf_counter() - started
    assert len(masked) == len(text)
    # A guard against runaway matching (a backtracking pattern takes minutes on these), not a
    # speed goal: that is measured by benchmarks/masking.py. 200,000 new distinct words is the
    # slowest case: every word is classified once.
    assert took < 30, f"{name}: {took:.2f} s"


def test_hostile_input_still_masks(masker: NameMasker) -> None:
    assert masker.found("\x00Qassem\x00") == ["Qassem"]
    assert masker.found("Huda \udcff Qassem") == ["Qassem"]
    assert masker.found("Qas\u0661sem") == []
    assert masker.found("a" * 100_000 + " Qassem") == ["Qassem"]


@pytest.mark.parametrize(
    "text",
    ["Solidarity with #Huda_Qassem today", "file huda_qassem_testimony.md", "#هدى_قاسم"],
)
def test_underscores_join_the_parts_of_hashtags_and_file_names(
    masker: NameMasker, text: str
) -> None:
    masked = masker.mask(text)
    for part in ("Huda", "huda", "Qassem", "qassem", "هدى", "قاسم"):
        assert part not in masked, (text, masked)


def test_a_name_glued_into_one_word_is_masked_in_links_and_file_names() -> None:
    """A link or a file name writes a name without its space ("people/nizarkhattab"); the
    masker finds it, but not a glued pair too short to tell from another word."""
    masker = NameMasker(["Nizar Khattab", "Ali Omar", "Rasha al-Qudsi"])
    text = "see example.org/people/nizarkhattab and notes/rashaqudsi.md, NizarKhattab2024"
    assert masker.found(text) == ["nizarkhattab", "rashaqudsi", "NizarKhattab"]
    assert "khattab" not in masker.mask(text).lower()
    assert masker.found("the aliomar bakery") == []
    assert masker.found("Nizar Khattab spoke") == ["Nizar Khattab"]
