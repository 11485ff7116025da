"""Policy files: the shipped default, and every rule's problem reported with its line."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest

from recoup.domain.errors import InvalidValueError, PolicyError
from recoup.policy.loading import LineMap, Problem, check_policy, parse_policy
from recoup.policy.model import Action, Tone

DEFAULT_TEXT = resources.files("recoup.policy").joinpath("default.toml").read_text(encoding="utf-8")

GOOD = """\
name = "small"
[settings]
min_gap_days = 4
tolerance = "5.00"
[[step]]
id = "reminder-1"
offset = 1
action = "email"
template = "reminder-1"
[[step]]
id = "call-1"
offset = 10
action = "call"
"""


def lines_of(problems: list[Problem]) -> list[int]:
    return [p.line for p in problems]


def only(text: str) -> Problem:
    problems = check_policy(text)
    assert len(problems) == 1, problems
    return problems[0]


# --- the shipped default --------------------------------------------------------------


def test_the_default_policy_has_the_documented_ladder_in_order() -> None:
    policy = parse_policy(DEFAULT_TEXT)
    ladder = [(s.id, s.offset, tuple(a.value for a in s.actions)) for s in policy.steps]
    assert ladder == [
        ("courtesy", -5, ("email",)),
        ("reminder-1", 1, ("email",)),
        ("reminder-2", 7, ("email",)),
        ("call-1", 10, ("call",)),
        ("reminder-3", 14, ("email", "notify_sales")),
        ("call-2", 21, ("call",)),
        ("final-notice", 30, ("email", "letter")),
        ("demand-letter", 60, ("letter",)),
        ("agency-review", 90, ("review_agency",)),
        ("litigation-review", 120, ("review_litigation",)),
        ("writeoff-review", 180, ("review_writeoff",)),
    ]


def test_the_default_policy_has_the_documented_tones_gates_and_attachments() -> None:
    policy = parse_policy(DEFAULT_TEXT)
    assert policy.name == "default"
    assert policy.step("courtesy").tone is Tone.FRIENDLY
    assert policy.step("courtesy").attach == ("invoice", "terms")
    assert policy.step("reminder-1").tone is Tone.FRIENDLY
    assert policy.step("reminder-2").tone is Tone.FIRM
    assert policy.step("reminder-2").copy_owner
    assert policy.step("reminder-3").tone is Tone.FIRM
    assert policy.step("final-notice").tone is Tone.FORMAL
    assert policy.step("final-notice").attach == ("letter",)
    assert policy.step("demand-letter").tone is Tone.FORMAL
    assert policy.step("demand-letter").needs_checklist
    assert not policy.step("demand-letter").needs_approval
    for step_id in ("agency-review", "litigation-review", "writeoff-review"):
        assert policy.step(step_id).needs_approval
    assert policy.step("agency-review").consumer_ok
    for step in policy.steps:
        if step.is_message:
            assert step.template == step.id


def test_the_default_policy_has_the_documented_settings() -> None:
    policy = parse_policy(DEFAULT_TEXT)
    assert (policy.min_gap_days, policy.call_gap_days, policy.promise_grace_days) == (5, 7, 3)
    assert policy.tolerance == Decimal(0)
    assert policy.demand_letter_days == 60
    assert (policy.send_from, policy.send_until) == (8, 21)
    assert (policy.applies_segments, policy.applies_customers) == ((), ())


def test_the_default_policy_file_checks_without_problems() -> None:
    assert check_policy(DEFAULT_TEXT) == []


# --- a good file ----------------------------------------------------------------------


def test_a_small_policy_takes_its_settings_and_keeps_the_defaults_of_the_rest() -> None:
    policy = parse_policy(GOOD)
    assert policy.name == "small"
    assert policy.min_gap_days == 4
    assert policy.tolerance == Decimal("5.00")
    assert policy.call_gap_days == 7
    assert [s.id for s in policy.steps] == ["reminder-1", "call-1"]
    assert policy.step("call-1").actions == (Action.CALL,)
    assert policy.step("call-1").kinds == ("business", "consumer")


def test_applies_to_lists_the_segments_and_customers_of_the_policy() -> None:
    policy = parse_policy(GOOD + '[applies_to]\nsegments = ["key-account"]\ncustomers = ["C-001", "C-002"]\n')
    assert policy.applies_segments == ("key-account",)
    assert policy.applies_customers == ("C-001", "C-002")


def test_a_tolerance_given_as_a_whole_number_is_exact() -> None:
    assert parse_policy(GOOD.replace('"5.00"', "5")).tolerance == Decimal(5)


def test_step_conditions_are_read() -> None:
    text = GOOD.replace(
        'action = "call"\n',
        'action = "call"\nmin_overdue = "250.50"\nkinds = ["business"]\nsegments = ["retail"]\n'
        "needs_approval = true\nconsumer_ok = false\n",
    )
    step = parse_policy(text).step("call-1")
    assert step.min_overdue == Decimal("250.50")
    assert step.kinds == ("business",)
    assert step.segments == ("retail",)
    assert step.needs_approval and not step.consumer_ok


# --- problems, with their lines -------------------------------------------------------


def test_a_wrong_tone_names_the_step_the_field_and_the_known_tones_on_its_line() -> None:
    text = GOOD.replace('template = "reminder-1"\n', 'template = "reminder-1"\ntone = "angry"\n')
    problem = only(text)
    assert problem == Problem(10, "step 'reminder-1': tone 'angry' is not one of friendly, firm, formal")
    assert str(problem) == "line 10: step 'reminder-1': tone 'angry' is not one of friendly, firm, formal"


def test_an_unknown_key_is_named_with_a_suggestion_so_a_typo_never_passes() -> None:
    problem = only(GOOD.replace('template = "reminder-1"\n', 'template = "reminder-1"\ncopy_ownr = true\n'))
    assert problem.line == 10
    assert "step 'reminder-1': unknown key 'copy_ownr'" in problem.message
    assert "did you mean 'copy_owner'?" in problem.message


def test_unknown_keys_at_the_top_and_in_settings_are_problems_too() -> None:
    text = GOOD.replace("[settings]\n", "[settings]\nmin_gap = 3\n").replace(
        'name = "small"\n', 'name = "small"\nversion = 2\n'
    )
    problems = check_policy(text)
    assert lines_of(problems) == [2, 4]
    assert "unknown key 'version'" in problems[0].message
    assert "settings: unknown key 'min_gap'" in problems[1].message


def test_a_missing_key_points_to_the_header_of_its_step() -> None:
    problem = only(GOOD.replace('action = "call"\n', ""))
    assert problem.line == 10
    assert problem.message.startswith("step 'call-1': action is missing")


def test_a_float_tolerance_is_refused_on_its_line() -> None:
    problem = only(GOOD.replace('"5.00"', "5.0"))
    assert problem.line == 4
    assert "tolerance 5.0 is a float" in problem.message


@pytest.mark.parametrize("value", ['"-1"', '"abc"', '"NaN"', "true"])
def test_a_tolerance_that_is_not_a_non_negative_decimal_is_refused(value: str) -> None:
    problem = only(GOOD.replace('"5.00"', value))
    assert problem.line == 4
    assert problem.message.startswith("settings: tolerance")


def test_a_float_min_overdue_is_refused_on_its_line() -> None:
    problem = only(GOOD + "min_overdue = 10.5\n")
    assert problem.line == 14
    assert "step 'call-1': min_overdue 10.5 is a float" in problem.message


def test_offsets_must_increase_strictly_in_file_order() -> None:
    problem = only(GOOD.replace("offset = 10", "offset = 1"))
    assert problem.line == 12
    assert "step 'call-1': offset 1 is not after the previous step's ('reminder-1', 1)" in problem.message


def test_an_offset_must_be_an_integer() -> None:
    problem = only(GOOD.replace("offset = 10", 'offset = "10"'))
    assert problem == Problem(12, "step 'call-1': offset '10' is a string (expected an integer)")


def test_step_ids_must_be_unique_and_not_empty() -> None:
    problems = check_policy(GOOD.replace('id = "call-1"', 'id = "reminder-1"'))
    assert lines_of(problems) == [11]
    assert "step 'reminder-1': id is used twice (first at line 6" in problems[0].message
    problem = only(GOOD.replace('id = "call-1"', 'id = ""'))
    assert problem.line == 11 and "id is empty" in problem.message


def test_unknown_actions_and_kinds_are_named() -> None:
    text = GOOD.replace('action = "call"', 'action = ["call", "fax"]\nkinds = ["business", "robot"]')
    problems = check_policy(text)
    assert lines_of(problems) == [13, 14]
    assert "step 'call-1': action 'fax' is not one of email, letter, call" in problems[0].message
    assert problems[1].message == "step 'call-1': kinds 'robot' is not one of business, consumer"


def test_a_policy_needs_at_least_one_step() -> None:
    problem = only('name = "empty"\n')
    assert problem == Problem(1, "the policy has no steps (expected at least one [[step]] table)")


def test_a_step_that_sends_a_message_needs_a_template() -> None:
    problem = only(GOOD.replace('template = "reminder-1"\n', ""))
    assert problem.line == 5
    assert "step 'reminder-1': template is missing" in problem.message


@pytest.mark.parametrize(
    ("settings", "line", "words"),
    [
        ("call_gap_days = 0", 3, "call_gap_days 0 is below 1"),
        ("demand_letter_days = 45", 3, "demand_letter_days 45 is not one of 30, 60, 90"),
        ("send_from = 21", 3, "send_from 21 is not before send_until 21"),
        ("send_until = 25", 3, "send_until 25 is after 24"),
        ("send_from = -1", 3, "send_from -1 is below 0"),
        ("call_gap_days = 1.5", 3, "call_gap_days 1.5 is a float (expected an integer)"),
    ],
)
def test_settings_out_of_range_are_problems_on_their_line(settings: str, line: int, words: str) -> None:
    problem = only(GOOD.replace("[settings]\n", f"[settings]\n{settings}\n"))
    assert problem.line == line
    assert problem.message.startswith("settings: ")
    assert words in problem.message


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    text = """\
name = "bad"
[settings]
tolerance = 0.5
min_gap_days = 0
[[step]]
id = "a"
offset = 5
action = "email"
template = "a"
tone = "angry"
[[step]]
id = "b"
offset = 3
action = "fax"
colour = "red"
"""
    problems = check_policy(text)
    assert lines_of(problems) == [3, 4, 10, 13, 14, 15]
    assert [p.message.split(":")[0] for p in problems] == ["settings"] * 2 + ["step 'a'"] + ["step 'b'"] * 3
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, "bad.toml")
    assert raised.value.problems == problems
    assert raised.value.lines()[0] == "bad.toml:3: " + problems[0].message
    assert isinstance(raised.value, InvalidValueError)


def test_a_toml_syntax_error_is_one_problem_with_tomllibs_line() -> None:
    problems = check_policy(GOOD.replace('action = "call"', "action = call"))
    assert len(problems) == 1
    assert problems[0].line == 13
    assert problems[0].message.startswith("not valid TOML: ")


def test_single_brackets_for_a_step_are_a_problem_on_the_header() -> None:
    problem = only('name = "x"\n\n[step]\nid = "a"\noffset = 1\naction = "call"\n')
    assert problem.line == 3
    assert "expected [[step]] tables" in problem.message


# --- the demand letter ----------------------------------------------------------------

DEMAND = """\
name = "d"
[settings]
{settings}
[[step]]
id = "demand-letter"
{offset}
action = "letter"
template = "demand-letter"
"""


def test_the_demand_letter_takes_its_offset_from_demand_letter_days() -> None:
    policy = parse_policy(DEMAND.format(settings="demand_letter_days = 30", offset=""))
    assert policy.step("demand-letter").offset == 30
    assert policy.demand_letter_days == 30


def test_the_demand_letter_defaults_to_sixty_days_when_neither_is_given() -> None:
    policy = parse_policy(DEMAND.format(settings="", offset=""))
    assert policy.step("demand-letter").offset == 60 == policy.demand_letter_days


def test_a_demand_letter_offset_equal_to_demand_letter_days_is_accepted() -> None:
    policy = parse_policy(DEMAND.format(settings="demand_letter_days = 90", offset="offset = 90"))
    assert policy.step("demand-letter").offset == 90


def test_a_demand_letter_offset_alone_sets_demand_letter_days() -> None:
    policy = parse_policy(DEMAND.format(settings="", offset="offset = 90"))
    assert policy.demand_letter_days == 90


def test_a_demand_letter_offset_that_differs_from_demand_letter_days_is_a_problem() -> None:
    problem = only(DEMAND.format(settings="demand_letter_days = 30", offset="offset = 60"))
    assert problem.line == 6
    assert "step 'demand-letter': offset 60 differs from settings demand_letter_days 30" in problem.message


def test_a_demand_letter_offset_alone_must_be_30_60_or_90() -> None:
    problem = only(DEMAND.format(settings="", offset="offset = 45"))
    assert problem.line == 6
    assert "offset 45 is not one of 30, 60, 90" in problem.message


def test_a_derived_demand_letter_offset_must_still_come_after_the_step_before() -> None:
    text = DEMAND.format(settings="demand_letter_days = 30", offset="") + (
        '[[step]]\nid = "late"\noffset = 20\naction = "call"\n'
    )
    problem = only(text)
    assert problem.line == 11
    assert "step 'late': offset 20 is not after the previous step's ('demand-letter', 30)" in problem.message


# --- the line mapper ------------------------------------------------------------------


def test_the_line_mapper_skips_comments_strings_and_multi_line_arrays() -> None:
    text = """\
# [[step]] in a comment
name = "x"  # id = "not a key"
[[step]]
id = "a"
action = [
  "email",
  "letter",
]
template = \"\"\"
tone = "not a key"
\"\"\"
tone = "firm"
[[step]]
id = "b"
"""
    lines = LineMap.of(text)
    assert lines.line(("step", 0)) == 3
    assert lines.line(("step", 0), "action") == 5
    assert lines.line(("step", 0), "tone") == 12
    assert lines.line(("step", 1), "id") == 14
    assert lines.line(("step", 1), "tone") == 13
    assert lines.line(("", -1), "name") == 2
    assert lines.line(("", -1), "id") == 1
