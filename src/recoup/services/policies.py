"""Collection policies on disk: the shipped default, policy files, and which customer uses which.

A deployment keeps its policies in one folder (``RECOUP_POLICIES``, else
``./policies`` when it exists): every ``*.toml`` file there is a policy. A file
named ``default.toml`` replaces the shipped default; any other file says in its
``[applies_to]`` table which segments and customers use it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from recoup.domain.errors import PolicyError
from recoup.policy.loading import Problem, parse_policy
from recoup.policy.model import Policy

DEFAULT_FILE = "default.toml"


@functools.cache
def default_policy() -> Policy:
    """The default policy shipped with the package (``recoup/policy/default.toml``)."""
    text = resources.files("recoup.policy").joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
    return parse_policy(text, "recoup/policy/default.toml")


def load_policy(path: Path) -> Policy:
    """The policy in the TOML file at ``path``; a PolicyError names the path and every problem."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PolicyError([Problem(line, "the file is not UTF-8 text")], str(path)) from None
    return parse_policy(text, str(path))


@dataclass(frozen=True)
class PolicyBook:
    """The default policy and the policies that some segments or customers use instead.

    ``for_customer`` picks a customer's policy: one that lists the customer
    wins, then one that lists the customer's segment, else the default. Two
    policies listing the same customer or segment, or two with the same name,
    are refused when the book is built.
    """

    default: Policy
    others: tuple[Policy, ...] = ()
    _by_customer: dict[str, Policy] = field(init=False, repr=False, compare=False)
    _by_segment: dict[str, Policy] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        names: dict[str, Policy] = {self.default.name: self.default}
        by_customer: dict[str, Policy] = {}
        by_segment: dict[str, Policy] = {}
        for policy in self.others:
            if policy.name in names:
                problems.append(Problem(0, f"two policies are named {policy.name!r}"))
            names.setdefault(policy.name, policy)
            for what, claims, index in (
                ("customer", policy.applies_customers, by_customer),
                ("segment", policy.applies_segments, by_segment),
            ):
                for key in claims:
                    if key in index:
                        problems.append(
                            Problem(
                                0,
                                f"{what} {key!r} is claimed by policies {index[key].name!r} and "
                                f"{policy.name!r} (a {what} may be listed by one policy only)",
                            )
                        )
                    else:
                        index[key] = policy
        if problems:
            raise PolicyError(problems, "policies", f"policies: {len(problems)} conflict(s) between policies")
        object.__setattr__(self, "_by_customer", by_customer)
        object.__setattr__(self, "_by_segment", by_segment)

    def for_customer(self, customer_id: str, segment: str) -> Policy:
        """The policy a customer's cases follow."""
        if customer_id in self._by_customer:
            return self._by_customer[customer_id]
        if segment and segment in self._by_segment:
            return self._by_segment[segment]
        return self.default

    @property
    def policies(self) -> tuple[Policy, ...]:
        return (self.default, *self.others)


def load_book(folder: Path | None) -> PolicyBook:
    """Every policy in ``folder`` (``*.toml``, in name order) with the default; no folder: the default alone.

    A ``default.toml`` in the folder replaces the shipped default. The first
    file with problems raises its PolicyError; so does a folder that does not
    exist.
    """
    if folder is None:
        return PolicyBook(default_policy())
    if not folder.is_dir():
        raise PolicyError(
            [Problem(0, "no such folder (set RECOUP_POLICIES to a folder of *.toml policy files)")],
            str(folder),
            f"{folder}: no such folder of policies",
        )
    default = default_policy()
    others: list[Policy] = []
    for path in sorted(folder.glob("*.toml")):
        if not path.is_file():
            continue
        policy = load_policy(path)
        if path.name == DEFAULT_FILE:
            default = policy
        else:
            others.append(policy)
    try:
        return PolicyBook(default, tuple(others))
    except PolicyError as exc:
        raise PolicyError(exc.problems, str(folder), f"{folder}: {len(exc.problems)} conflict(s)") from None


def policy_json(policy: Policy) -> dict[str, Any]:
    """A policy as plain JSON data; amounts are strings holding the exact decimal."""
    return {
        "name": policy.name,
        "settings": {
            "min_gap_days": policy.min_gap_days,
            "call_gap_days": policy.call_gap_days,
            "promise_grace_days": policy.promise_grace_days,
            "promise_max_days": policy.promise_max_days,
            "tolerance": str(policy.tolerance),
            "demand_letter_days": policy.demand_letter_days,
            "send_from": policy.send_from,
            "send_until": policy.send_until,
            "consumer_call_attempts": policy.consumer_call_attempts,
        },
        "applies_to": {
            "segments": list(policy.applies_segments),
            "customers": list(policy.applies_customers),
        },
        "steps": [
            {
                "id": step.id,
                "offset": step.offset,
                "actions": [a.value for a in step.actions],
                "template": step.template,
                "tone": step.tone.value,
                "attach": list(step.attach),
                "min_overdue": str(step.min_overdue),
                "kinds": list(step.kinds),
                "segments": list(step.segments),
                "needs_checklist": step.needs_checklist,
                "needs_approval": step.needs_approval,
                "copy_owner": step.copy_owner,
                "consumer_ok": step.consumer_ok,
            }
            for step in policy.steps
        ],
    }
