"""The engine holds no English: every word it matches lives in a language pack's data files.

The scan reads the Python source of ``src/marsad/extract/`` and ``src/marsad/gazetteer/`` with
``ast`` and looks at every string constant (f-string parts and regex patterns included). A
constant is *English text* when, after regex syntax is taken out of it (backslash escapes such as
``\\b`` or ``\\s`` and group syntax ``(?P<name>``), it holds a run of two or more ASCII letters
that is a word of the packs' own data (every string value of ``lang/*/*.yaml`` and
``gazetteer/data/*.yaml``) or one of the common function words in :data:`FUNCTION_WORDS`. Words
are compared lower-cased; digits, underscores and punctuation split words ("admin1" holds
"admin", "cue_report" holds "cue" and "report").

These constants are not text and are never reported:

* docstrings, and any other string standing alone as a statement (attribute docstrings);
  comments are not constants at all;
* messages: constants anywhere inside a ``raise`` statement, and the literal parts of
  f-strings that are not regex patterns (an f-string inside a call of a ``re`` function is
  scanned like any pattern);
* path segments: a constant joined to a path with the ``/`` operator (``home / ".local"``);
* names, when the whole constant is a Python identifier that the code or its data contract
  declares: a section key of a pack data file (a top-level key, or one holding a list or a
  mapping: "role_cues", "letter_case", "killed"; a key holding one value, as "dozen" in
  ``scales: {dozen: 12}``, is a word of the language and counts as data), an identifier
  defined in the scanned code or in ``marsad.contract.claim``/``marsad.lang`` (a function, class,
  parameter, attribute or field name: ``__all__`` entries, ``getattr`` names, dataclass fields
  such as "admin1_pcode"), a value of a ``typing.Literal`` in those modules (schema categories
  such as "aggregate", "governorate"), a regex group named in the same module
  (``m.group("word")``), a *tag constant* whose value is its own lower-cased name
  (``EVENT = "event"``, ``_LIST = "list"``), an UPPER_CASE name with an underscore (an
  environment variable such as "XDG_DATA_HOME"), or a language code that names a pack folder
  ("en"). A constant made of such names joined by ``.``, ``/``, ``:`` or angle brackets
  ("marsad.gazetteer", "<role>", "cued_persons/1") is a name too;
* the identifiers listed in the schema's vocabularies (``EVENT_TYPES``, ``EVENT_FAMILIES``,
  ``COUNT_CATEGORIES`` ...: "protest_with_intervention", "strategic");
* names of files shipped in the data folders ("persons.yaml", "syria.jsonl.gz").

So ``_WORDS = ("north", "south")`` or ``re.compile(r"\\bof\\b")`` fails the scan, while
``kinds["killed"]`` (a pack key) or ``kind == "city"`` (a ``Literal`` value) passes.

Files other helpers are still clearing are listed in :data:`OWNED_ELSEWHERE_UNTIL_MERGE`; that
list is temporary and is emptied after their work is merged.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from paths import REPO

SRC = REPO / "src" / "marsad"
SCANNED = (SRC / "extract", SRC / "gazetteer")
DATA_FILES = (
    *sorted((SRC / "lang").glob("*/*.yaml")),
    *sorted((SRC / "gazetteer" / "data").glob("*.yaml")),
)
CONTRACT_MODULES = (SRC / "contract" / "claim.py", SRC / "lang" / "__init__.py")

# Common English function words and place words, checked even if no data file lists them.
_FUNCTION_WORDS = (
    "the of in on at to from by for with and or but not no is was are were be been has had "
    "have this that these those it its their his her our near north south east west "
    "district province area rural city town village countryside governorate region dozen"
)
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())

# TEMPORARY: files other helpers own and are moving their English out of; checked after merge.
# The lead empties this list once their branches are in.
OWNED_ELSEWHERE_UNTIL_MERGE: frozenset[str] = frozenset()

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WORD = re.compile(r"[A-Za-z]{2,}")
# Regex syntax that is no text: escapes (\b, \s, \d, \N{...} excepted: none are used) and the
# name part of named groups and back-references.
_REGEX_SYNTAX = re.compile(r"\\[A-Za-z]|\(\?P<[A-Za-z_]\w*>|\(\?P=[A-Za-z_]\w*\)")
_GROUP_NAME = re.compile(r"\(\?P<([A-Za-z_]\w*)>")
_NAME_PATH = re.compile(r"[<]?[A-Za-z_][A-Za-z0-9_]*[>]?(?:[./:][<]?[A-Za-z0-9_]*[>]?)*\Z")
_CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\Z")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str
    words: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r} holds {', '.join(self.words)}"


def _walk_data(node: Any, keys: set[str], values: set[str], top: bool = True) -> None:
    """Section names into ``keys``; words into ``values``. A key holding a list or a mapping,
    or standing at the top of a file, names a section or a category ("role_cues", "killed"); a
    key holding a single value below the top is a word of the language ("dozen: 12")."""
    if isinstance(node, dict):
        for k, v in node.items():
            (keys if top or isinstance(v, dict | list) else values).add(str(k))
            _walk_data(v, keys, values, top=False)
    elif isinstance(node, list):
        for item in node:
            _walk_data(item, keys, values, top=False)
    elif isinstance(node, str):
        values.add(node)


def _data_words_and_keys() -> tuple[frozenset[str], frozenset[str]]:
    keys: set[str] = set()
    values: set[str] = set()
    for path in DATA_FILES:
        _walk_data(yaml.safe_load(path.read_text(encoding="utf-8")), keys, values)
    words = {w.lower() for v in values for w in _WORD.findall(v)}
    return frozenset(words | FUNCTION_WORDS), frozenset(keys)


def _defined_names(tree: ast.AST) -> Iterator[str]:
    """Identifiers a module defines or refers to by name, and its Literal values."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name
        elif isinstance(node, ast.arg) or isinstance(node, ast.keyword) and node.arg:
            yield node.arg
        elif isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.alias):
            yield (node.asname or node.name).split(".")[-1]
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name | ast.Attribute)
            and (node.value.id if isinstance(node.value, ast.Name) else node.value.attr)
            == "Literal"
        ):
            for const in ast.walk(node.slice):
                if isinstance(const, ast.Constant) and isinstance(const.value, str):
                    yield const.value


def _tag_constants(tree: ast.AST) -> Iterator[int]:
    """ids of the constants in ``NAME = "name"`` and ``_A, _B = "a", "b"`` assignments."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        pairs = (
            zip(target.elts, value.elts, strict=False)
            if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
            else [(target, value)]
        )
        for name, const in pairs:
            if (
                isinstance(name, ast.Name)
                and isinstance(const, ast.Constant)
                and const.value == name.id.lower().lstrip("_")
            ):
                yield id(const)


def _regex_calls(tree: ast.AST) -> set[int]:
    """ids of the nodes inside the arguments of ``re.<function>(...)`` calls."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
        ):
            for arg in (*node.args, *(k.value for k in node.keywords)):
                out.update(id(n) for n in ast.walk(arg))
    return out


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """ids of the constants that are docstrings, messages or path segments, and of tag
    constants."""
    out = set(_tag_constants(tree))
    in_regex = _regex_calls(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            out.add(id(node.value))
        elif isinstance(node, ast.Raise):
            out.update(id(n) for n in ast.walk(node))
        elif isinstance(node, ast.JoinedStr) and id(node) not in in_regex:
            out.update(id(v) for v in node.values if isinstance(v, ast.Constant))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            out.update(id(v) for v in (node.left, node.right) if isinstance(v, ast.Constant))
    return out


def _is_name(text: str, vocabulary: Vocabulary, groups: set[str]) -> bool:
    """Whether ``text`` is a declared name, or names joined by ``. / :`` and ``< >``."""
    if _CONSTANT_NAME.match(text):
        return True
    if not _NAME_PATH.match(text):
        return False
    parts = [p for p in re.split(r"[./:<>]", text) if p and not p.isdigit()]
    return bool(parts) and all(p in vocabulary.names or p in groups for p in parts)


@dataclass(frozen=True)
class Vocabulary:
    words: frozenset[str]
    names: frozenset[str]
    files: frozenset[str]


def build_vocabulary(extra_sources: Iterable[str] = ()) -> Vocabulary:
    words, keys = _data_words_and_keys()
    names = set(keys)
    for source in (*(p.read_text(encoding="utf-8") for p in _python_files()), *extra_sources):
        names.update(_defined_names(ast.parse(source)))
    for path in CONTRACT_MODULES:
        names.update(_defined_names(ast.parse(path.read_text(encoding="utf-8"))))
    names.update(_schema_vocabularies())
    names.update(p.name for p in (SRC / "lang").iterdir() if p.is_dir() and p.name.isalpha())
    names.update(p.stem for p in SRC.parent.rglob("*.py"))  # module names
    names.update(p.name for p in SRC.parent.rglob("*") if p.is_dir())  # package names
    files = {
        p.name for folder in (SRC / "lang", SRC / "gazetteer" / "data") for p in folder.rglob("*")
    }
    return Vocabulary(words, frozenset(names - set(keyword.kwlist)), frozenset(files))


def _schema_vocabularies() -> set[str]:
    """The identifiers the schema's vocabularies list: event types, families, categories and
    groups ("protest_with_intervention", "strategic") are names of the data contract."""
    from marsad.contract import claim as contract

    out: set[str] = set()
    for value in vars(contract).values():
        items = value.items() if isinstance(value, dict) else [value]
        for item in items:
            parts = item if isinstance(item, tuple | frozenset) else (item,)
            out.update(p for p in parts if isinstance(p, str) and p.isidentifier())
    return out


def _python_files() -> list[Path]:
    return sorted(p for folder in SCANNED for p in folder.rglob("*.py"))


def english_in(source: str, path: str, vocabulary: Vocabulary) -> list[Finding]:
    """The string constants of ``source`` that are English text (see the module docstring)."""
    tree = ast.parse(source)
    exempt = _exempt_nodes(tree)
    groups = set(_GROUP_NAME.findall(source))
    findings = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        text = node.value
        if id(node) in exempt or text in vocabulary.files:
            continue
        if _is_name(text, vocabulary, groups):
            continue
        found = [
            w for w in _WORD.findall(_REGEX_SYNTAX.sub(" ", text)) if w.lower() in vocabulary.words
        ]
        if found:
            findings.append(Finding(path, node.lineno, text, tuple(found)))
    return findings


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return build_vocabulary()


def test_no_english_word_list_phrase_or_regex_in_the_engine(vocabulary: Vocabulary) -> None:
    findings = []
    for path in _python_files():
        rel = path.relative_to(SRC).as_posix()
        if rel in OWNED_ELSEWHERE_UNTIL_MERGE:
            continue
        findings += english_in(path.read_text(encoding="utf-8"), rel, vocabulary)
    assert not findings, "English in the engine (move it to lang/<code>/):\n" + "\n".join(
        map(str, findings)
    )


def test_the_allow_list_names_files_that_exist() -> None:
    for rel in OWNED_ELSEWHERE_UNTIL_MERGE:
        assert (SRC / rel).is_file(), rel


PLANTED = '''
import re

_WORDS = ("north", "south")
_OF = re.compile(r"\\bof\\b")
_GAP = re.compile(r"^(?:\\s*(?:,|in|the)\\s*)*$")
_BUILT = re.compile(rf"\\b(?:{_GAP.pattern})\\s+of\\b")
_MESSAGE = f"{_OF.pattern} is a message, not a rule"


def rule(word: str) -> bool:
    """Docstrings may say "north of the city"."""
    if word == "dozen":
        return True
    raise ValueError("a message may say what it wants of the text")
'''


def test_the_scan_catches_planted_english(vocabulary: Vocabulary) -> None:
    findings = english_in(PLANTED, "planted.py", vocabulary)
    caught = {f.text: f.words for f in findings}
    assert caught == {
        "north": ("north",),
        "south": ("south",),
        r"\bof\b": ("of",),
        r"^(?:\s*(?:,|in|the)\s*)*$": ("in", "the"),
        "dozen": ("dozen",),
        r")\s+of\b": ("of",),  # the literal part of an f-string regex
    }


def test_names_of_the_data_contract_pass(vocabulary: Vocabulary) -> None:
    source = """
EVENT = "event"
pattern = r"(?P<word>\\w+)"
def f(m, row, precision):
    return m.group("word"), row["role_cues"], precision == "governorate", "persons.yaml"
"""
    assert english_in(source, "contract.py", vocabulary) == []
