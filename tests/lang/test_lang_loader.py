"""The generic language-pack loader and the writing system a pack declares."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from marsad.extract import persons_in
from marsad.extract.text import NUM, PUNCT, split_sentences, tokenize
from marsad.lang import (
    LANG_DIR,
    LanguagePackError,
    WritingSystem,
    _section,
    load_language_pack,
    load_pack_from,
)


def _copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "xx"
    shutil.copytree(LANG_DIR / "en", target)
    return target


def _replace_line(path: Path, start: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i for i, line in enumerate(lines) if line.startswith(start)]
    assert len(hits) == 1, start
    lines[hits[0]] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_malformed_list_names_its_file_and_key(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    _replace_line(pack / "grammar.yaml", "of_words:", "of_words: 5")
    with pytest.raises(LanguagePackError, match=r"grammar\.yaml: of_words: expected a list"):
        load_pack_from(pack, "xx")


def test_a_malformed_integer_names_its_file_and_key(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    _replace_line(pack / "numbers.yaml", "absurd_above:", "absurd_above: many")
    with pytest.raises(
        LanguagePackError, match=r"numbers\.yaml: absurd_above: expected an integer"
    ):
        load_pack_from(pack, "xx")


def test_a_missing_required_key_is_named(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    _replace_line(pack / "grammar.yaml", "definite_article:", "")
    with pytest.raises(LanguagePackError, match=r"grammar\.yaml: missing key 'definite_article'"):
        load_pack_from(pack, "xx")


def test_a_non_boolean_letter_case_is_refused(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    _replace_line(pack / "writing.yaml", "letter_case:", "letter_case: sometimes")
    with pytest.raises(LanguagePackError, match=r"writing\.yaml: letter_case: expected true"):
        load_pack_from(pack, "xx")


def test_keys_no_field_reads_are_kept_in_extra(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    (pack / "newfile.yaml").write_text("zz_words: [alpha, beta]\n", encoding="utf-8")
    loaded = load_pack_from(pack, "xx")
    assert loaded.extra["newfile.zz_words"] == ["alpha", "beta"]
    assert "grammar.of_words" not in loaded.extra  # read by Grammar.of_words


@dataclass(frozen=True, slots=True)
class _Section:
    """A section of the shapes the packs use: each is read by its annotated type alone."""

    words: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]
    table: dict[str, int]
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    name: str = ""
    flag: bool = False
    pair: dict[str, tuple[int, int]] = field(default_factory=dict)


def test_a_new_field_needs_only_its_type_and_its_key() -> None:
    data = {
        "words": ["alpha", "beta", 3],
        "phrases": ["Held  By", "under the control of"],
        "table": {"half": "2", "third": 3},
        "lists": {"a": ["x", "y"]},
        "flag": True,
        "pair": {"early": [1, 10]},
    }
    got = _section(_Section, data, "test.yaml")
    assert got == _Section(
        words=frozenset({"alpha", "beta", "3"}),
        phrases=(("held", "by"), ("under", "the", "control", "of")),
        table={"half": 2, "third": 3},
        lists={"a": ("x", "y")},
        flag=True,
        pair={"early": (1, 10)},
    )
    with pytest.raises(LanguagePackError, match=r"test\.yaml: table\.half: expected an integer"):
        _section(_Section, {**data, "table": {"half": "two"}}, "test.yaml")


def test_a_partial_folder_is_still_no_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a folder with only some of the pack files (person cues, say) is no pack yet
    import marsad.lang as lang

    (tmp_path / "qq").mkdir()
    (tmp_path / "qq" / "persons.yaml").write_text("format: cued_persons/1\n", encoding="utf-8")
    monkeypatch.setattr(lang, "LANG_DIR", tmp_path)
    with pytest.raises(LanguagePackError, match="no language pack for 'qq'"):
        load_language_pack("qq")


def test_the_english_pack_declares_its_writing_system() -> None:
    writing = load_language_pack("en").writing
    assert writing.letter_case is True
    assert set("0123456789") == set(writing.digits)
    assert "'s" in writing.clitic_suffixes


_CASELESS = WritingSystem(letter_case=False, digits="0123456789", clitic_suffixes=())


def test_attached_clitics_come_off_the_key_only_when_declared() -> None:
    english = load_language_pack("en").writing
    assert tokenize("the regime's jets", english).keys == ["the", "regime", "jets"]
    assert tokenize("the regime's jets", _CASELESS).keys == ["the", "regimes", "jets"]


def test_declared_digits_make_number_tokens() -> None:
    text = "\u0663 killed"  # ARABIC-INDIC DIGIT THREE
    assert tokenize(text, load_language_pack("en").writing).kinds[0] == PUNCT
    arabic_digits = WritingSystem(letter_case=False, digits="0123456789\u0660\u0661\u0662\u0663")
    assert tokenize(text, arabic_digits).kinds[0] == NUM


def test_without_letter_case_sentences_end_at_their_stops() -> None:
    text = "shelling hit the town. residents fled to the\nhills near the river"
    cased = split_sentences(tokenize(text, load_language_pack("en").writing))
    caseless = split_sentences(tokenize(text, _CASELESS))
    # with capitals a lower-case word after the stop and a lower-case line continue the
    # sentence; without them the stop and the line break end it
    assert len(cased) == 1
    assert len(caseless) == 3


def test_without_letter_case_capitals_never_make_a_name() -> None:
    english = load_language_pack("en")
    caseless = replace(english, writing=_CASELESS)
    text = "The activist Rana Haddad said the school was hit."
    assert [p.name for p in persons_in(text, pack=english)] == ["Rana Haddad"]
    assert persons_in(text, pack=caseless) == []
