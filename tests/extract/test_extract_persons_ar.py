"""Person names in Arabic text, found by their context (marsad.extract.cued_persons), and stored
for Arabic documents so that every public output masks them. Every name and sentence here is
invented for these tests."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from marsad.contract.claim import PersonMention
from marsad.evaluate.persons_ar import DEFAULT_SET, score_arabic_persons
from marsad.extract.cued_persons import CueDataError, CuedPersonReader, cued_reader
from marsad.jobs.extract import extract_documents
from marsad.jobs.ingest import ingest_paths
from marsad.lang import load_language_pack
from marsad.protect.names import MASK, NameMasker
from marsad.store import Store
from marsad.store.models import Person
from marsad.store.models import PersonMention as StoredMention
from paths import REPO


@pytest.fixture(scope="module")
def reader() -> CuedPersonReader:
    return CuedPersonReader.from_language("ar")


def names(reader: CuedPersonReader, text: str) -> list[str]:
    found = reader.read(text)
    for mention in found:  # every span is exact, whatever the rule that found it
        assert text[mention.evidence.start : mention.evidence.end] == mention.evidence.text
    return [m.name for m in found]


# -- cues --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("أصيب الناشط الإعلامي طلال السمان بشظايا في يده.", ["طلال السمان"]),
        ("استشهدت الطفلة تالين ماهر القصاب جراء الغارة.", ["تالين ماهر القصاب"]),
        ("قال الشيخ مأمون الرفاعي إن المسجد تضرر.", ["مأمون الرفاعي"]),
        ("وأكدت الطبيبة سوسن العطار أن الجرحى نقلوا إلى المشفى.", ["سوسن العطار"]),
        ("قال المختار عبد الوهاب النايف إن البلدة خالية.", ["عبد الوهاب النايف"]),
        ("وقال د. هشام الغزي إن الدواء نفد.", ["هشام الغزي"]),
        ("واعتقل الأمن شاباً يدعى ناجي الحوش من منزله.", ["ناجي الحوش"]),
        ("وقتل ابنها ورد في القصف.", ["ورد"]),
    ],
)
def test_a_cue_before_a_name(reader: CuedPersonReader, text: str, expected: list[str]) -> None:
    assert names(reader, text) == expected


def test_roles_follow_the_cue(reader: CuedPersonReader) -> None:
    text = "قال الصحفي جواد العلان إن الطفل سعد الحمود قتل أمام المدرسة."
    found = {m.name: m.role for m in reader.read(text)}
    assert found == {"جواد العلان": "journalist", "سعد الحمود": "victim"}


def test_a_title_after_a_role_and_a_place_in_between(reader: CuedPersonReader) -> None:
    text = "وقال مدير مكتب الدفاع المدني في بلدة سرجة نضال المرعي إن الفرق انتشرت."
    assert names(reader, text) == ["نضال المرعي"]


def test_speech_cues(reader: CuedPersonReader) -> None:
    assert names(reader, "وبحسب ما قال غسان الدبس فإن الحاجز أغلق.") == ["غسان الدبس"]
    assert names(reader, "ووفقاً لحازم الكيلاني، فإن القصف بدأ ليلاً.") == ["حازم الكيلاني"]
    # speech cues need a name of two words: a source is not a person
    assert names(reader, "قال مصدر طبي إن المشفى امتلأ.") == []
    assert names(reader, "وقالت مصادر محلية إن الطريق قطع.") == []


def test_quotes(reader: CuedPersonReader) -> None:
    text = "وقالت الناشطة هيفاء الصباغ: «لم يبق في الحي أحد»، ثم أضاف ثامر الكردي: «نحن وحدنا»."
    assert names(reader, text) == ["هيفاء الصباغ", "ثامر الكردي"]


def test_apposition(reader: CuedPersonReader) -> None:
    assert names(reader, "قصي البيرقدار، الناشط الحقوقي، اعتقل أمس.") == ["قصي البيرقدار"]
    assert names(reader, "أما نادين الحلو (19 عاماً) فأصيبت بكسر.") == ["نادين الحلو"]
    assert names(reader, "شادي المعراوي، وهو مصور، فقد منذ يومين.") == ["شادي المعراوي"]


def test_victims_lists(reader: CuedPersonReader) -> None:
    text = "وأسماء الضحايا: رامي العسلي (30 عاماً)، وهبة العسلي، والطفل كريم العسلي."
    assert names(reader, text) == ["رامي العسلي", "هبة العسلي", "كريم العسلي"]
    text = "وهم:\n1- ماجد الشعار\n2- وفيق الشعار\n3- نسرين الخطاب"
    assert names(reader, text) == ["ماجد الشعار", "وفيق الشعار", "نسرين الخطاب"]
    text = "قضى في القصف كل من سعيد الحجي وجمانة الحجي ووالدتهما عبلة القاضي."
    assert names(reader, text) == ["سعيد الحجي", "جمانة الحجي", "عبلة القاضي"]


def test_kunyas(reader: CuedPersonReader) -> None:
    assert names(reader, "قال أبو جمال الحوراني إن الجثث بقيت في الشارع.") == ["أبو جمال الحوراني"]
    assert names(reader, "وتقول أم سليم، وهي نازحة، إن الخيمة غرقت.") == ["أم سليم"]
    # "أبو" never ends a name: nothing after it, nothing found
    assert names(reader, "قال أبو في الحي.") == []


def test_clitics_on_cues(reader: CuedPersonReader) -> None:
    assert names(reader, "وقال الناشط عماد الحريري إن القصف مستمر.") == ["عماد الحريري"]
    assert names(reader, "فأكد المسعف نبيل الشواف أن الطريق مغلق.") == ["نبيل الشواف"]
    assert names(reader, "وللشهيد مراد الصافي ثلاث بنات.") == ["مراد الصافي"]
    assert names(reader, "وبحسب الصحفية رؤى الحكيم فإن السوق أغلق.") == ["رؤى الحكيم"]


def test_conjunction_joined_to_a_name_is_not_part_of_it(reader: CuedPersonReader) -> None:
    found = reader.read("استشهد في القصف كل من: جهاد العمر، وأيمن العمر.")
    assert [m.evidence.text for m in found] == ["جهاد العمر", "أيمن العمر"]
    # a name that begins with the conjunction's letter is kept whole
    assert names(reader, "وأصيب الشاب وسيم الحلاق بجروح.") == ["وسيم الحلاق"]


def test_diacritics_and_tatweel_in_names(reader: CuedPersonReader) -> None:
    text = "اسْتُشْهِدَ الطِّفْلُ أَيْهَمُ الرَّحَّال بِقَذِيفَةٍ."
    assert names(reader, text) == ["أَيْهَمُ الرَّحَّال"]
    text = "الشهيـــد البطـــل عمـــاد الحسيـــن في ذمة الله"
    assert names(reader, text) == ["عمـــاد الحسيـــن"]
    # the same name however written is one name once normalised
    assert reader.normalise("عمـــاد الحسيـــن") == reader.normalise("عِماد الحُسين")


def test_arabic_indic_digits_end_a_name(reader: CuedPersonReader) -> None:
    text = "أصيب الطفل جود الأحمد ٣ مرات خلال ٢٠٢٤، وتوفي الطفل عمر الساعور (٤ سنوات)."
    assert names(reader, text) == ["جود الأحمد", "عمر الساعور"]


def test_stop_words_end_a_name(reader: CuedPersonReader) -> None:
    text = "قتل الشاب رياض الحمصي برصاص قناص في حي الوعر صباح الأربعاء."
    assert names(reader, text) == ["رياض الحمصي"]
    text = "اعتقلت قوات الأمن المهندس وائل السقا أثناء عودته من عمله."
    assert names(reader, text) == ["وائل السقا"]
    # على is a preposition, علي a name
    assert names(reader, "وأصيب الشاب علي الموسى على الطريق.") == ["علي الموسى"]


def test_hashtags_and_emoji(reader: CuedPersonReader) -> None:
    text = "🔴 رحم الله الشهيد #ماهر_الصطوف 🤲 #حمص"
    found = reader.read(text)
    assert [m.name for m in found] == ["ماهر الصطوف"]
    assert found[0].evidence.text == "ماهر_الصطوف"


def test_place_named_after_a_person_is_not_a_person(reader: CuedPersonReader) -> None:
    assert names(reader, "قصفت الطائرات حي الشيخ سعيد ومدرسة الشهيد فادي.") == []


@pytest.mark.parametrize(
    "text",
    [
        "ذهب الأطفال إلى المدرسة صباحاً وعادوا بعد الظهر.",
        "ارتفعت أسعار الخبز والوقود في المدينة خلال الشهر الماضي.",
        "قصفت الطائرات الحربية أطراف البلدة بعدة صواريخ فراغية.",
        "استشهد ثلاثة مدنيين وأصيب خمسة آخرون بجروح متفاوتة.",
        "قالت وزارة الصحة إن عدد الإصابات ارتفع إلى ٢٣ إصابة.",
        "وتواصل فرق الدفاع المدني البحث عن ناجين تحت الأنقاض.",
        "نزحت العائلات باتجاه المخيمات الحدودية هرباً من القصف.",
        "وأشار التقرير إلى تدهور الوضع الإنساني في المنطقة.",
        "The activist said the strike hit a school in the town.",
    ],
)
def test_no_person_in_sentences_without_cues(reader: CuedPersonReader, text: str) -> None:
    assert reader.read(text) == []


def test_spans_are_exact_offsets_into_the_original(reader: CuedPersonReader) -> None:
    text = "مقدمة.\n\nوقال المتطوع إِيَاد الحَلَبي: «وصلنا متأخرين»، وأُصيب أخوه زاهر."
    found = reader.read(text)
    assert [m.evidence.text for m in found] == ["إِيَاد الحَلَبي", "زاهر"]
    for m in found:
        assert text[m.evidence.start : m.evidence.end] == m.evidence.text
        assert isinstance(m, PersonMention)


def test_a_long_line_returns_fast(reader: CuedPersonReader) -> None:
    sentence = "وقال الناشط باسم الكرمي إن القصف طال السوق و"
    text = (sentence * (100_000 // len(sentence) + 1))[:100_000]
    started = time.perf_counter()
    found = reader.read(text)
    elapsed = time.perf_counter() - started
    assert len(text) == 100_000
    assert len(found) >= 100_000 // len(sentence) - 1
    assert elapsed < 30  # a guard against runaway matching, not a speed goal
    worst = "،" * 50_000 + " كل من" * 8_000  # separators and list cues without names
    started = time.perf_counter()
    reader.read(worst[:100_000])
    assert time.perf_counter() - started < 30


def test_text_without_arabic_letters_is_not_read(reader: CuedPersonReader) -> None:
    assert not reader.has_script("No Arabic here, only 123.")
    assert reader.read("No Arabic here.") == []
    assert reader.has_script("He said «قال» once.")


# -- the data and the language pack ------------------------------------------------------


def test_no_reader_where_no_cued_data() -> None:
    assert cued_reader("xx") is None
    assert cued_reader("en") is None  # the English pack's persons.yaml is another format
    with pytest.raises(CueDataError):
        CuedPersonReader.from_language("../en")


def test_the_arabic_pack_keeps_its_person_cues() -> None:
    # the whole Arabic pack and the cue reader share lang/ar/persons.yaml
    pack = load_language_pack("ar")
    assert pack.writing.letter_case is False
    assert cued_reader("ar") is not None


def test_the_reader_has_no_arabic_words_of_its_own() -> None:
    source = REPO / "src/marsad/extract/cued_persons.py"
    text = source.read_text(encoding="utf-8")
    assert not any("\u0600" <= c <= "\u06ff" for c in text)


# -- measured on the project's Arabic person set -----------------------------------------


def test_recall_on_the_first_set() -> None:
    result = score_arabic_persons(DEFAULT_SET)
    first = result["scores"]["first batch"]
    assert first["sentences"] >= 120
    assert first["recall"] >= 0.97
    assert first["precision"] >= 0.9
    assert result["scores"]["second batch"]["sentences"] >= 30


def test_masker_of_the_found_names_masks_every_occurrence(reader: CuedPersonReader) -> None:
    """Every occurrence of each detected name in the set's sentences is masked by a masker
    built from the detected names (hashtag-joined names: see the next test)."""
    lines = DEFAULT_SET.read_text(encoding="utf-8").splitlines()
    checked = 0
    for line in lines:
        text = json.loads(line)["text"]
        found = reader.read(text)
        if not found:
            continue
        masked = NameMasker([m.name for m in found]).mask(text)
        for m in found:
            if "_" in m.evidence.text:
                continue
            at = text.find(m.evidence.text)
            while at >= 0:
                end = at + len(m.evidence.text)
                hidden = [masked[i] == MASK for i in range(at, end) if text[i].isalpha()]
                assert all(hidden), (text, m.evidence.text, masked)
                checked += 1
                at = text.find(m.evidence.text, end)
    assert checked >= 150


def test_hashtag_name_surname_masked(reader: CuedPersonReader) -> None:
    text = "رحم الله الشهيد #ماهر_الصطوف"
    found = reader.read(text)
    masked = NameMasker([m.name for m in found]).mask(text)
    assert "الصطوف" not in masked


def test_hashtag_name_given_name_masked(reader: CuedPersonReader) -> None:
    text = "رحم الله الشهيد #ماهر_الصطوف"
    masked = NameMasker([m.name for m in reader.read(text)]).mask(text)
    assert "ماهر" not in masked


# -- stored for Arabic documents ---------------------------------------------------------

ARABIC_REPORT = """---
title: تقرير ميداني
language: ar
sensitivity: public
published: 2024-05-02
---
وثّق فريقنا صباح اليوم مقتل الناشط الإعلامي زكريا الفحام بقصف مدفعي على الحي الغربي.
وقالت المسعفة رهف الدرعاوي إن الفرق نقلت ثلاثة جرحى، بينهم الطفل نوح الفحام (٩ أعوام).
وأضاف الفحام الأب أن المنزل دمّر بالكامل.
"""

ENGLISH_REPORT = """---
title: Field note
language: en
sensitivity: public
published: 2024-05-03
---
A shell hit the western quarter of the town on 2 May 2024, residents said.
One witness wrote: «قال المتطوع سليمان الدباغ إن القذيفة سقطت قرب المدرسة».
"""


def _ingest(store: Store, folder: Path, files: dict[str, str]) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    report = ingest_paths(store, [folder], actor="tester", max_bytes=1_000_000)
    assert report.stored == len(files) and not report.errors
    return {d.original_name.rsplit("/", 1)[-1]: d.id for d in store.iter_documents()}


def _stored_persons(store: Store, document_id: str) -> dict[str, str]:
    with store.reading() as session:
        rows = session.execute(
            select(Person.name, Person.sensitivity)
            .join(StoredMention, StoredMention.person_id == Person.id)
            .where(StoredMention.document_id == document_id)
        ).all()
    return {name: sensitivity for name, sensitivity in rows}


def test_an_arabic_report_stores_its_persons_and_masks_them(store: Store, tmp_path: Path) -> None:
    ids = _ingest(store, tmp_path / "reports", {"report-ar.md": ARABIC_REPORT})
    doc_id = ids["report-ar.md"]
    report = extract_documents(store, actor="tester")
    # read by the Arabic pack: the names come with its claims (the cue reader finds them)
    assert report.documents == 1 and not report.errors and report.claims >= 1
    persons = _stored_persons(store, doc_id)
    assert persons == {
        "زكريا الفحام": "restricted",
        "رهف الدرعاوي": "restricted",
        "نوح الفحام": "restricted",
    }
    public = store.visible_document(doc_id, "public")
    assert public is not None and public.redacted
    for part in ("زكريا", "الفحام", "رهف", "الدرعاوي", "نوح"):
        assert part not in public.text
    assert "وأضاف" in public.text and "الأب" in public.text  # the rest stays readable
    restricted = store.visible_document(doc_id, "restricted")
    assert restricted is not None and "زكريا الفحام" in restricted.text


def test_an_arabic_quote_in_an_english_report_is_read(store: Store, tmp_path: Path) -> None:
    ids = _ingest(store, tmp_path / "reports", {"note-en.md": ENGLISH_REPORT})
    doc_id = ids["note-en.md"]
    report = extract_documents(store, actor="tester")
    assert not report.errors and report.documents == 1
    assert report.persons == 1
    assert _stored_persons(store, doc_id) == {"سليمان الدباغ": "restricted"}
    public = store.visible_document(doc_id, "public")
    assert public is not None and "الدباغ" not in public.text and "سليمان" not in public.text
