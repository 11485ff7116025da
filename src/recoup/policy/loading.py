"""Reading a collection policy from TOML text, and checking it with line numbers.

Pure: this module takes text and returns values; reading files is the caller's
job (``recoup.services.policies``). The format::

    name = "default"
    [settings]
    min_gap_days = 5          # no two messages to a case closer than this (>= 1)
    call_gap_days = 7         # no two calls to a case closer than this (>= 1)
    promise_grace_days = 3    # a promise holds until its date plus this (>= 0)
    promise_max_days = 30     # the customer page takes a promise at most this many days ahead (>= 1)
    tolerance = "5.00"        # string or integer decimal, never a float (a float is a problem)
    demand_letter_days = 60   # 30, 60 or 90
    send_from = 8             # local hours a message may go out: 0 <= send_from < send_until <= 24
    send_until = 21
    consumer_call_attempts = 7  # optional: call attempts in seven days for a consumer (>= 1)
    [applies_to]              # optional: which customers use this policy instead of the default
    segments = ["key-account"]
    customers = ["C-001"]
    [[step]]
    id = "courtesy"           # unique, not empty
    offset = -5               # days from the due date; strictly increasing in file order
    action = "email"          # or a list: ["email", "letter"]
    template = "courtesy"     # needed by a step that sends email or a letter
    tone = "friendly"         # friendly, firm or formal (default friendly)
    attach = ["invoice", "terms"]      # invoice, terms, statement, letter
    min_overdue = "0"         # optional: the overdue balance needed, a decimal as for tolerance
    kinds = ["business", "consumer"]   # optional, default both
    segments = []             # optional, default all
    needs_checklist = false
    needs_approval = false
    copy_owner = false
    consumer_ok = true

Every table but ``[[step]]`` is optional and every setting has the default of
``Policy``. The step whose id is ``demand-letter`` may leave out its offset: it
then takes ``demand_letter_days``; giving both with different values is a
problem.

``check_policy`` collects every problem in the text, not just the first, each
with its 1-based line: the line of the key at fault, else the header of its
table (a missing key), else line 1. Unknown keys are problems too, so a typo
never passes silently. ``parse_policy`` returns the ``Policy`` or raises
``PolicyError`` carrying the problems.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from recoup.domain.errors import PolicyError
from recoup.policy.model import KINDS, MESSAGES, Action, Policy, Step, Tone

DEMAND_LETTER = "demand-letter"
DEMAND_LETTER_DAYS = (30, 60, 90)
ATTACHMENTS = ("invoice", "terms", "statement", "letter")

ROOT_KEYS = ("name", "settings", "applies_to", "step")
SETTINGS_KEYS = (
    "min_gap_days",
    "call_gap_days",
    "promise_grace_days",
    "promise_max_days",
    "tolerance",
    "demand_letter_days",
    "send_from",
    "send_until",
    "consumer_call_attempts",
)
APPLIES_KEYS = ("segments", "customers")
STEP_KEYS = (
    "id",
    "offset",
    "action",
    "template",
    "tone",
    "attach",
    "min_overdue",
    "kinds",
    "segments",
    "needs_checklist",
    "needs_approval",
    "copy_owner",
    "consumer_ok",
)
STEP_FLAGS = ("needs_checklist", "needs_approval", "copy_owner", "consumer_ok")
_DEFAULTS = Policy(name="", steps=())


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a policy: its 1-based line in the file (0: none) and what is wrong."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


# --- where things are: a small line mapper -------------------------------------------

Table = tuple[str, int]
"""A table of the file: its name ('' for the root) and, for [[arrays]], the entry's index (else -1)."""

ROOT: Table = ("", -1)

_KEY = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*=""")


@dataclass
class LineMap:
    """The line of each table header and of each ``key =`` in a TOML text.

    tomllib gives values but no positions; this scan is enough for the
    policy format: it follows table headers, skips comments, strings and
    the inside of multi-line arrays and strings.
    """

    headers: dict[Table, int] = field(default_factory=dict)
    keys: dict[tuple[Table, str], int] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> LineMap:
        found = cls()
        counts: dict[str, int] = {}
        table = ROOT
        depth = 0
        multiline: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            rest = line
            if multiline is not None:
                end = line.find(multiline)
                if end < 0:
                    continue
                rest, multiline = line[end + 3 :], None
            elif depth == 0:
                stripped = line.strip()
                if stripped.startswith("[["):
                    name = _table_name(stripped[2 : stripped.find("]]")])
                    counts[name] = counts.get(name, -1) + 1
                    table = (name, counts[name])
                    found.headers.setdefault(table, number)
                    continue
                if stripped.startswith("["):
                    table = (_table_name(stripped[1 : stripped.find("]")]), -1)
                    found.headers.setdefault(table, number)
                    continue
                match = _KEY.match(line)
                if match:
                    parts = [_table_name(p) for p in match.group(1).split(".")]
                    where, key = table, parts[-1]
                    if len(parts) == 2 and table == ROOT:
                        where = (parts[0], -1)
                    found.keys.setdefault((where, key), number)
                    rest = line[match.end() :]
            depth, multiline = _scan_value(rest, depth)
        return found

    def line(self, table: Table, key: str | None = None) -> int:
        """The line of ``key`` in ``table``, else of the table's header, else 1."""
        if key is not None and (table, key) in self.keys:
            return self.keys[(table, key)]
        return self.headers.get(table, 1)


def _table_name(raw: str) -> str:
    name = raw.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        name = name[1:-1]
    return name


def _scan_value(text: str, depth: int) -> tuple[int, str | None]:
    """Bracket depth after ``text``, and the delimiter of a multi-line string left open."""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "#":
            break
        if char in "\"'":
            triple = char * 3
            if text.startswith(triple, i):
                end = text.find(triple, i + 3)
                if end < 0:
                    return depth, triple
                i = end + 3
                continue
            i += 1
            while i < len(text) and text[i] != char:
                i += 2 if char == '"' and text[i] == "\\" else 1
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(0, depth - 1)
        i += 1
    return depth, None


# --- checking -------------------------------------------------------------------------


def _names(values: Iterable[str]) -> str:
    return ", ".join(values)


def _kind_of(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "a list"}
    if isinstance(value, dict):
        return "a table"
    return names.get(type(value), type(value).__name__)


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    return str(value)


@dataclass
class _Checker:
    lines: LineMap
    problems: list[Problem] = field(default_factory=list)

    def report(self, table: Table, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.lines.line(table, key), message))

    def unknown_keys(self, table: Table, data: dict[str, Any], allowed: tuple[str, ...], label: str) -> None:
        for key in data:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            self.report(table, key, f"{label}unknown key '{key}' ({hint}expected one of {_names(allowed)})")

    def integer(
        self, table: Table, data: dict[str, Any], key: str, label: str, minimum: int | None = None
    ) -> int | None:
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.report(table, key, f"{label}{key} {_show(value)} is {_kind_of(value)} (expected an integer)")
            return None
        if minimum is not None and value < minimum:
            self.report(table, key, f"{label}{key} {value} is below {minimum} (expected {minimum} or more)")
            return None
        return value

    def decimal(self, table: Table, data: dict[str, Any], key: str, label: str) -> Decimal | None:
        value = data[key]
        expected = 'expected a decimal as a string like "5.00", or a whole number'
        if isinstance(value, float):
            self.report(table, key, f"{label}{key} {value} is a float ({expected}: floats are not exact)")
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            self.report(table, key, f"{label}{key} {_show(value)} is {_kind_of(value)} ({expected})")
            return None
        try:
            amount = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            self.report(table, key, f"{label}{key} {_show(value)} is not a decimal ({expected})")
            return None
        if not amount.is_finite() or amount < 0:
            self.report(table, key, f"{label}{key} {_show(value)} is not a non-negative decimal ({expected})")
            return None
        return amount

    def boolean(self, table: Table, data: dict[str, Any], key: str, label: str) -> bool | None:
        value = data[key]
        if not isinstance(value, bool):
            found = f"{_show(value)} is {_kind_of(value)}"
            self.report(table, key, f"{label}{key} {found} (expected true or false)")
            return None
        return value

    def string(self, table: Table, data: dict[str, Any], key: str, label: str) -> str | None:
        value = data[key]
        if not isinstance(value, str):
            self.report(table, key, f"{label}{key} {_show(value)} is {_kind_of(value)} (expected a string)")
            return None
        return value

    def strings(
        self,
        table: Table,
        data: dict[str, Any],
        key: str,
        label: str,
        known: tuple[str, ...] | None = None,
        *,
        single: bool = False,
        non_empty: bool = False,
    ) -> tuple[str, ...] | None:
        """A list of strings (or one string when ``single``), each one of ``known`` when given."""
        value = data[key]
        items: list[Any] = [value] if single and isinstance(value, str) else value
        shape = "a string or a list of strings" if single else "a list of strings"
        if not isinstance(items, list):
            self.report(table, key, f"{label}{key} {_show(value)} is {_kind_of(value)} (expected {shape})")
            return None
        ok = True
        for item in items:
            if not isinstance(item, str):
                self.report(table, key, f"{label}{key}: {_show(item)} is {_kind_of(item)} (expected {shape})")
                ok = False
            elif known is not None and item not in known:
                self.report(table, key, f"{label}{key} {item!r} is not one of {_names(known)}")
                ok = False
            elif not item.strip():
                self.report(table, key, f"{label}{key}: an empty string is not allowed")
                ok = False
        if not ok:
            return None
        duplicates = sorted({item for item in items if items.count(item) > 1})
        if duplicates:
            twice = _names(repr(d) for d in duplicates)
            self.report(table, key, f"{label}{key} lists {twice} more than once")
            return None
        if non_empty and not items:
            self.report(table, key, f"{label}{key} is empty (expected at least one)")
            return None
        return tuple(items)

    def table(self, data: dict[str, Any], key: str) -> dict[str, Any] | None:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.report(ROOT, key, f"{key} is {_kind_of(value)} (expected a [{key}] table)")
            return None
        return value


def _read_settings(check: _Checker, data: dict[str, Any]) -> dict[str, Any]:
    table: Table = ("settings", -1)
    raw = check.table(data, "settings")
    if raw is None:
        return {}
    label = "settings: "
    check.unknown_keys(table, raw, SETTINGS_KEYS, label)
    out: dict[str, Any] = {}
    minimums = {
        "min_gap_days": 1,
        "call_gap_days": 1,
        "promise_grace_days": 0,
        "promise_max_days": 1,
        "send_from": 0,
        "send_until": 0,
        "consumer_call_attempts": 1,
    }
    for key, minimum in minimums.items():
        if key in raw and (value := check.integer(table, raw, key, label, minimum)) is not None:
            out[key] = value
    if "tolerance" in raw and (tolerance := check.decimal(table, raw, "tolerance", label)) is not None:
        out["tolerance"] = tolerance
    if "demand_letter_days" in raw:
        days = check.integer(table, raw, "demand_letter_days", label)
        if days is not None and days not in DEMAND_LETTER_DAYS:
            check.report(
                table,
                "demand_letter_days",
                f"{label}demand_letter_days {days} is not one of 30, 60, 90",
            )
        elif days is not None:
            out["demand_letter_days"] = days
    if any(key in raw and key not in out for key in ("send_from", "send_until")):
        return out
    send_from = out.get("send_from", _DEFAULTS.send_from)
    send_until = out.get("send_until", _DEFAULTS.send_until)
    if "send_until" in out and send_until > 24:
        check.report(table, "send_until", f"{label}send_until {send_until} is after 24 (expected 24 or less)")
        del out["send_until"]
    elif "send_from" in out and send_from > 23:
        check.report(table, "send_from", f"{label}send_from {send_from} is after 23 (expected 0 to 23)")
        del out["send_from"]
    elif send_from >= send_until:
        key = "send_until" if "send_until" in raw else "send_from"
        check.report(
            table,
            key,
            f"{label}send_from {send_from} is not before send_until {send_until} "
            "(expected 0 <= send_from < send_until <= 24)",
        )
        out.pop("send_from", None)
        out.pop("send_until", None)
    return out


def _read_applies(check: _Checker, data: dict[str, Any]) -> dict[str, Any]:
    table: Table = ("applies_to", -1)
    raw = check.table(data, "applies_to")
    if raw is None:
        return {}
    label = "applies_to: "
    check.unknown_keys(table, raw, APPLIES_KEYS, label)
    out: dict[str, Any] = {}
    for key in APPLIES_KEYS:
        if key in raw and (values := check.strings(table, raw, key, label)) is not None:
            out[f"applies_{key}"] = values
    return out


def _read_step(
    check: _Checker, index: int, raw: object, demand_days: int | None
) -> tuple[Step | None, int | None]:
    """One [[step]] entry as a Step, or None (with the problems reported) when it is not valid.

    The step's offset comes second when it is valid, so the order of offsets is checked anyway.

    ``demand_days`` is the settings' demand_letter_days when the file gives a valid one, else None.
    """
    table: Table = ("step", index)
    if not isinstance(raw, dict):
        check.report(table, None, f"step #{index + 1} is {_kind_of(raw)} (expected a [[step]] table)")
        return None, None
    step_id = raw.get("id")
    label = f"step '{step_id}': " if isinstance(step_id, str) and step_id.strip() else f"step #{index + 1}: "
    check.unknown_keys(table, raw, STEP_KEYS, label)
    ok = True
    fields: dict[str, Any] = {}

    if "id" not in raw:
        check.report(table, None, f"{label}id is missing (expected a short name such as 'reminder-1')")
        ok = False
    elif (value := check.string(table, raw, "id", label)) is None:
        ok = False
    elif not value.strip():
        check.report(table, "id", f"{label}id is empty (expected a short name such as 'reminder-1')")
        ok = False
    else:
        fields["id"] = value

    if "offset" in raw:
        offset = check.integer(table, raw, "offset", label)
        if offset is None:
            ok = False
        elif step_id == DEMAND_LETTER and demand_days is not None and offset != demand_days:
            check.report(
                table,
                "offset",
                f"{label}offset {offset} differs from settings demand_letter_days {demand_days} "
                "(give only demand_letter_days, or make them equal)",
            )
            ok = False
        elif step_id == DEMAND_LETTER and demand_days is None and offset not in DEMAND_LETTER_DAYS:
            check.report(
                table,
                "offset",
                f"{label}offset {offset} is not one of {_names(str(d) for d in DEMAND_LETTER_DAYS)} "
                "(the demand letter goes out 30, 60 or 90 days after the due date)",
            )
            ok = False
        else:
            fields["offset"] = offset
    elif step_id == DEMAND_LETTER:
        fields["offset"] = _DEFAULTS.demand_letter_days if demand_days is None else demand_days
    else:
        check.report(table, None, f"{label}offset is missing (expected days from the due date, e.g. 7)")
        ok = False

    actions: tuple[str, ...] | None = None
    if "action" not in raw:
        check.report(table, None, f"{label}action is missing (expected one or a list of {_names(Action)})")
        ok = False
    else:
        known = tuple(a.value for a in Action)
        actions = check.strings(table, raw, "action", label, known, single=True, non_empty=True)
        if actions is None:
            ok = False
        else:
            fields["actions"] = tuple(Action(a) for a in actions)

    if "template" in raw:
        template = check.string(table, raw, "template", label)
        if template is None:
            ok = False
        else:
            fields["template"] = template.strip()
    if actions and any(Action(a) in MESSAGES for a in actions) and not fields.get("template"):
        check.report(
            table,
            "template" if "template" in raw else None,
            f"{label}template is missing (a step that sends email or a letter needs one)",
        )
        ok = False

    if "tone" in raw:
        tone = check.string(table, raw, "tone", label)
        if tone is None:
            ok = False
        elif tone not in tuple(Tone):
            check.report(table, "tone", f"{label}tone {tone!r} is not one of {_names(Tone)}")
            ok = False
        else:
            fields["tone"] = Tone(tone)

    if "min_overdue" in raw:
        minimum = check.decimal(table, raw, "min_overdue", label)
        if minimum is None:
            ok = False
        else:
            fields["min_overdue"] = minimum

    lists: dict[str, tuple[tuple[str, ...] | None, bool]] = {
        "attach": (ATTACHMENTS, False),
        "kinds": (KINDS, True),
        "segments": (None, False),
    }
    for key, (known_values, non_empty) in lists.items():
        if key in raw:
            values = check.strings(table, raw, key, label, known_values, non_empty=non_empty)
            if values is None:
                ok = False
            else:
                fields[key] = values

    for key in STEP_FLAGS:
        if key in raw:
            flag = check.boolean(table, raw, key, label)
            if flag is None:
                ok = False
            else:
                fields[key] = flag

    return (Step(**fields) if ok else None), fields.get("offset")


def _check(text: str) -> tuple[Policy | None, list[Problem]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [_syntax_problem(text, str(exc))]
    check = _Checker(LineMap.of(text))
    check.unknown_keys(ROOT, data, ROOT_KEYS, "")

    name: str | None = None
    if "name" not in data:
        check.report(ROOT, None, "name is missing (expected a string naming the policy, e.g. 'default')")
    elif (name := check.string(ROOT, data, "name", "")) is not None and not name.strip():
        check.report(ROOT, "name", "name is empty (expected a string naming the policy, e.g. 'default')")
        name = None

    settings = _read_settings(check, data)
    applies = _read_applies(check, data)
    demand_days: int | None = settings.get("demand_letter_days")

    raw_steps = data.get("step", [])
    steps: list[Step] = []
    complete = True
    if not isinstance(raw_steps, list):
        check.report(
            ("step", -1) if ("step", -1) in check.lines.headers else ROOT,
            "step",
            f"step is {_kind_of(raw_steps)} (expected [[step]] tables, each one step of the ladder)",
        )
        complete = False
        raw_steps = []
    elif not raw_steps:
        check.report(ROOT, None, "the policy has no steps (expected at least one [[step]] table)")

    seen: dict[str, int] = {}
    previous: tuple[str, int] | None = None
    for index, raw in enumerate(raw_steps):
        step, offset = _read_step(check, index, raw, demand_days)
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        label = f"step '{raw_id}'" if isinstance(raw_id, str) and raw_id.strip() else f"step #{index + 1}"
        if offset is not None:
            if previous is not None and offset <= previous[1]:
                check.report(
                    ("step", index),
                    "offset",
                    f"{label}: offset {offset} is not after the previous step's "
                    f"({previous[0]}, {previous[1]}); offsets must increase strictly in file order",
                )
                complete = False
            previous = (label.removeprefix("step "), offset)
        if isinstance(raw_id, str) and raw_id.strip():
            if raw_id in seen:
                check.report(
                    ("step", index),
                    "id",
                    f"step '{raw_id}': id is used twice (first at line {seen[raw_id]}; ids must be unique)",
                )
                step = None
            else:
                seen[raw_id] = check.lines.line(("step", index), "id")
        if step is None:
            complete = False
        else:
            steps.append(step)

    problems = sorted(check.problems, key=lambda p: p.line)
    if problems or not complete or name is None:
        return None, problems
    if "demand_letter_days" not in settings:
        for step in steps:
            if step.id == DEMAND_LETTER:
                settings["demand_letter_days"] = step.offset
    return Policy(name=name, steps=tuple(steps), **settings, **applies), []


def _syntax_problem(text: str, error: str) -> Problem:
    match = re.search(r"\(at line (\d+), column \d+\)", error)
    line = int(match.group(1)) if match else max(1, len(text.splitlines()))
    message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", error)
    return Problem(line, f"not valid TOML: {message}")


def check_policy(text: str, source: str = "<policy>") -> list[Problem]:
    """Every problem in a policy's TOML text, in line order; empty when the policy is valid."""
    return _check(text)[1]


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    """The policy in ``text``; raises PolicyError listing every problem, each with its line."""
    policy, problems = _check(text)
    if policy is None:
        raise PolicyError(problems, source)
    return policy
