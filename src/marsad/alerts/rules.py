"""Alert rules: the YAML format, its validation, and the rule set as plain values.

A rule file has ``rules`` (each a ``name`` and a ``when``) and optionally ``deliver`` (webhooks
and commands); ``docs/alerts.md`` documents the format. Reading a file is bounded before
anything is built from it (size, anchors and aliases, nesting, counts, lengths), and every
refusal names the file, the rule and the field. A rule set round-trips through
:meth:`RuleSet.to_dict` / :meth:`RuleSet.from_dict`, which is how the store keeps it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from marsad.contract.claim import EVENT_TYPES, FACILITY_TYPES, WEAPONS
from marsad.gazetteer.normalize import normalize_name

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 8
MAX_RULES = 500
MAX_TARGETS = 20
MAX_VALUES = 200  # values in one condition
MAX_NAME_CHARS = 200  # alerts.rule is String(200)
MAX_TEXT_CHARS = 4096
MAX_TIMEOUT_S = 120.0
DEFAULT_TIMEOUT_S = 10.0
PER_CHOICES = ("admin1", "admin2", "admin3", "all")
CLEARANCES = ("public", "internal")  # a delivery never carries what only restricted may see
_PCODE = re.compile(r"[A-Za-z]{2}[0-9]+")
_LIST_KEYS = {
    "event_type": "event_types",
    "area": "areas",
    "facility": "facilities",
    "perpetrator": "perpetrators",
    "weapon": "weapons",
}
_WINDOW_KEYS = ("count_at_least", "within_hours", "per")
WHEN_KEYS = (*_LIST_KEYS, "protected_person", "killed_at_least", *_WINDOW_KEYS)


class RuleError(ValueError):
    """A rule file refused: the message names the file, the rule and the field."""


@dataclass(frozen=True)
class Condition:
    """What one incident must show; every field given must hold (a list: any of its values)."""

    event_types: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()  # p-codes upper-cased, or names as normalize_name keys them
    facilities: tuple[str, ...] = ()
    perpetrators: tuple[str, ...] = ()  # actor ids (or names), case-folded
    weapons: tuple[str, ...] = ()
    protected_person: bool = False
    killed_at_least: int | None = None


@dataclass(frozen=True)
class Window:
    """``count_at_least`` matching incidents in one ``per`` unit within one block of days."""

    count_at_least: int
    within_hours: int
    per: str = "all"

    @property
    def days(self) -> int:
        """Incidents are dated by day: the window is this many whole days."""
        return max(1, -(-self.within_hours // 24))

    def block(self, day: date) -> tuple[date, date]:
        """The block of :attr:`days` consecutive days holding ``day`` (blocks are counted from
        Monday 1 January of year 1, so seven-day blocks run Monday to Sunday)."""
        first = (day.toordinal() - 1) // self.days * self.days + 1
        return date.fromordinal(first), date.fromordinal(first + self.days - 1)


@dataclass(frozen=True)
class Rule:
    name: str
    any_of: tuple[Condition, ...]  # one ``when`` mapping, or each of a list of them
    window: Window | None = None


@dataclass(frozen=True)
class Target:
    """Where alerts go: a webhook URL (POST JSON) or a command (argv; JSON on stdin)."""

    kind: str  # "webhook" or "command"
    url: str | None = None
    argv: tuple[str, ...] = ()
    timeout: float = DEFAULT_TIMEOUT_S
    clearance: str = "internal"

    @property
    def label(self) -> str:
        """How logs and the ledger name the target: without a URL's path or query (which may
        hold a secret) or a command's arguments."""
        if self.kind == "webhook" and self.url:
            parts = urlsplit(self.url)
            return f"webhook {parts.scheme}://{parts.netloc}"
        return f"command {Path(self.argv[0]).name}" if self.argv else "command"


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    deliver: tuple[Target, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "rules": [_rule_dict(r) for r in self.rules],
            "deliver": [_target_dict(t) for t in self.deliver],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuleSet:
        rules = tuple(
            Rule(
                name=str(r["name"]),
                any_of=tuple(_condition_from(c) for c in r["any_of"]),
                window=Window(**r["window"]) if r.get("window") else None,
            )
            for r in data.get("rules", [])
        )
        deliver = tuple(
            Target(**{**t, "argv": tuple(t.get("argv") or ())}) for t in data.get("deliver", [])
        )
        return cls(rules, deliver)


def _rule_dict(r: Rule) -> dict[str, Any]:
    return {
        "name": r.name,
        "any_of": [
            vars(c) | {k: list(getattr(c, k)) for k in _LIST_KEYS.values()} for c in r.any_of
        ],
        "window": vars(r.window) if r.window else None,
    }


def _target_dict(t: Target) -> dict[str, Any]:
    return {**vars(t), "argv": list(t.argv)}


def _condition_from(d: dict[str, Any]) -> Condition:
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}
    return Condition(**values)


# -- reading a file --------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedFile:
    rule_set: RuleSet
    sha256: str
    file_name: str


def load_rule_file(path: Path, *, known_actors: Iterable[str] = ()) -> LoadedFile:
    """Read and validate a rule file; raises :class:`RuleError` naming the file and why."""
    where = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise RuleError(f"{where}: cannot be read: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise RuleError(f"{where}: larger than {MAX_FILE_BYTES // 1024} KB; a rule file is small")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleError(f"{where}: not UTF-8 text (byte {exc.start})") from exc
    rule_set = parse_rules(text, where, known_actors=known_actors)
    return LoadedFile(rule_set, hashlib.sha256(data).hexdigest(), path.name)


def parse_rules(text: str, where: str, *, known_actors: Iterable[str] = ()) -> RuleSet:
    """Validate rule-file text; ``where`` names it in every message."""
    if "\x00" in text:
        raise RuleError(f"{where}: holds a NUL character")
    _check_shape(text, where)
    try:
        doc = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise RuleError(f"{where}: not valid YAML: {_first_line(exc)}") from exc
    if not isinstance(doc, dict):
        raise RuleError(f"{where}: must be a mapping with 'rules' (and optionally 'deliver')")
    _only_keys(doc, ("rules", "deliver"), where)
    rules = _list(doc.get("rules"), f"{where}: rules", MAX_RULES, required=True)
    checked = [
        _rule(r, f"{where}: rule {i}", frozenset(known_actors)) for i, r in enumerate(rules, 1)
    ]
    names = [r.name for r, _ in checked]
    for i, name in enumerate(names, 1):
        if names.index(name) + 1 != i:
            raise RuleError(
                f"{where}: rule {i} ({name!r}): name: used by rule {names.index(name) + 1} too"
            )
    targets = _list(doc.get("deliver"), f"{where}: deliver", MAX_TARGETS)
    deliver = tuple(_target(t, f"{where}: deliver {i}") for i, t in enumerate(targets, 1))
    warnings = tuple(w for _, ws in checked for w in ws)
    return RuleSet(tuple(r for r, _ in checked), deliver, warnings)


def _check_shape(text: str, where: str) -> None:
    """Refuse anchors and aliases (a few lines could expand to millions of values) and deep
    nesting, walking the parser's events before any value is built."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1 if event.start_mark else 0
                raise RuleError(
                    f"{where}: line {line}: YAML anchors and aliases "
                    "(&name, *name) are not accepted; write each rule out"
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise RuleError(f"{where}: nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise RuleError(f"{where}: not valid YAML: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def _only_keys(d: dict[Any, Any], allowed: Iterable[str], where: str) -> None:
    allowed = tuple(allowed)
    for key in d:
        if key not in allowed:
            raise RuleError(f"{where}: unknown field {str(key)[:80]!r} (use {', '.join(allowed)})")


def _list(value: Any, where: str, limit: int, *, required: bool = False) -> list[Any]:
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        raise RuleError(f"{where}: must be a list" + (" of at least one item" if required else ""))
    if len(value) > limit:
        raise RuleError(f"{where}: {len(value)} items, more than the {limit} accepted")
    return value


def _text(value: Any, where: str, limit: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{where}: must be a non-empty text")
    if len(value) > limit:
        raise RuleError(f"{where}: longer than {limit} characters")
    if re.search("[\x00-\x08\x0b-\x1f\ud800-\udfff]", value):
        raise RuleError(f"{where}: holds a control character")
    return value


def _whole(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuleError(f"{where}: must be a whole number from {low} to {high}")
    return value


# -- one rule ----------------------------------------------------------------------------------


def _rule(r: Any, where: str, actors: frozenset[str]) -> tuple[Rule, list[str]]:
    if not isinstance(r, dict):
        raise RuleError(f"{where}: must be a mapping with 'name' and 'when'")
    name = _text(r.get("name"), f"{where}: name", MAX_NAME_CHARS).strip()
    where = f"{where} ({name!r})"
    _only_keys(r, ("name", "when"), where)
    when = r.get("when")
    if isinstance(when, dict):
        alternatives = [when]
    elif isinstance(when, list) and when and all(isinstance(w, dict) for w in when):
        alternatives = when[:MAX_VALUES]
        if any(k in w for w in when for k in _WINDOW_KEYS):
            raise RuleError(
                f"{where}: when: a count over a window needs a single 'when' mapping, not a list"
            )
    else:
        raise RuleError(f"{where}: when: must be a mapping of conditions (or a list of them)")
    warnings: list[str] = []
    conditions = tuple(_condition(w, f"{where}: when", actors, warnings) for w in alternatives)
    return Rule(name, conditions, _window(alternatives[0], f"{where}: when")), warnings


def _values(value: Any, where: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or len(items) > MAX_VALUES:
        raise RuleError(f"{where}: must be one value or a list of 1 to {MAX_VALUES}")
    return [_text(v, where, 300).strip() for v in items]


def _condition(
    w: dict[Any, Any], where: str, actors: frozenset[str], warnings: list[str]
) -> Condition:
    _only_keys(w, WHEN_KEYS, where)
    found: dict[str, Any] = {}
    for key, attr in _LIST_KEYS.items():
        if key in w:
            found[attr] = tuple(_vocabulary(key, _values(w[key], f"{where}: {key}"), where))
    if "protected_person" in w:
        if not isinstance(w["protected_person"], bool):
            raise RuleError(f"{where}: protected_person: must be true or false")
        found["protected_person"] = w["protected_person"]
    if "killed_at_least" in w:
        found["killed_at_least"] = _whole(
            w["killed_at_least"], f"{where}: killed_at_least", 1, 10**6
        )
    unknown = [p for p in found.get("perpetrators", ()) if actors and p not in actors]
    if unknown:
        warnings.append(
            f"{where}: perpetrator: {', '.join(unknown)} is no actor id of the language packs "
            "(it matches an incident's actor by that id or name only)"
        )
    return Condition(**found)


def _vocabulary(key: str, values: list[str], where: str) -> list[str]:
    known = {"event_type": EVENT_TYPES, "facility": FACILITY_TYPES, "weapon": WEAPONS}.get(key)
    if known is not None:
        for v in values:
            if v not in known:
                what = key.replace("_", " ")
                raise RuleError(f"{where}: {key}: unknown {what} {v!r} (use {', '.join(known)})")
        return values
    if key == "perpetrator":  # an actor id, or an actor's name as incidents store it
        return [v.casefold() for v in values]
    return [area_key(v) for v in values]  # area


def area_key(value: str) -> str:
    """How an area is compared: a p-code upper-cased, a name by its folded spelling."""
    value = value.strip()
    return value.upper() if _PCODE.fullmatch(value) else "name:" + normalize_name(value)


def _window(w: dict[Any, Any], where: str) -> Window | None:
    given = [k for k in _WINDOW_KEYS if k in w]
    if not given:
        return None
    if "count_at_least" not in w or "within_hours" not in w:
        raise RuleError(f"{where}: a window needs both count_at_least and within_hours")
    per = w.get("per", "all")
    if per not in PER_CHOICES:
        raise RuleError(f"{where}: per: must be one of {', '.join(PER_CHOICES)}")
    return Window(
        count_at_least=_whole(w["count_at_least"], f"{where}: count_at_least", 2, 100_000),
        within_hours=_whole(w["within_hours"], f"{where}: within_hours", 1, 24 * 366),
        per=per,
    )


# -- delivery targets --------------------------------------------------------------------------


def _target(t: Any, where: str) -> Target:
    if not isinstance(t, dict):
        raise RuleError(f"{where}: must be a mapping with 'webhook' or 'command'")
    _only_keys(t, ("webhook", "command", "timeout", "clearance"), where)
    if ("webhook" in t) == ("command" in t):
        raise RuleError(f"{where}: give exactly one of 'webhook' and 'command'")
    timeout = t.get("timeout", DEFAULT_TIMEOUT_S)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 < timeout <= MAX_TIMEOUT_S
    ):
        raise RuleError(
            f"{where}: timeout: must be a number of seconds above 0, at most {MAX_TIMEOUT_S:g}"
        )
    clearance = t.get("clearance", "internal")
    if clearance not in CLEARANCES:
        raise RuleError(f"{where}: clearance: must be one of {', '.join(CLEARANCES)}")
    if "webhook" in t:
        url = _text(t["webhook"], f"{where}: webhook", 2000).strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RuleError(f"{where}: webhook: must be an http:// or https:// URL with a host")
        return Target("webhook", url=url, timeout=float(timeout), clearance=clearance)
    argv = t["command"]
    if not isinstance(argv, list) or not argv or len(argv) > 64:
        raise RuleError(
            f"{where}: command: must be a list of 1 to 64 arguments (the program first); "
            "a command is never run through a shell"
        )
    args = tuple(
        _text(a, f"{where}: command", MAX_TEXT_CHARS) if i == 0 else _arg(a, where)
        for i, a in enumerate(argv)
    )
    return Target("command", argv=args, timeout=float(timeout), clearance=clearance)


def _arg(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RuleError(f"{where}: command: each argument must be a text or a number")
    text = str(value)
    if "\x00" in text or len(text) > MAX_TEXT_CHARS:
        raise RuleError(f"{where}: command: an argument holds a NUL or is too long")
    return text
