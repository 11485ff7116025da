"""``recoup policy check`` and ``show`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recoup.entrypoints.cli import app

runner = CliRunner()

GOOD = """\
name = "key-accounts"
[settings]
min_gap_days = 7
tolerance = "10.00"
[applies_to]
segments = ["key-account"]
[[step]]
id = "reminder-1"
offset = 3
action = "email"
template = "reminder-1"
[[step]]
id = "call-1"
offset = 10
action = "call"
min_overdue = "1000"
"""

BAD = """\
name = "broken"
[settings]
tolerance = 5.0
[[step]]
id = "reminder-1"
offset = 3
action = "email"
template = "reminder-1"
tone = "angry"
[[step]]
id = "call-1"
offset = 2
action = "call"
"""


def recoup(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def no_policies_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RECOUP_POLICIES", raising=False)
    monkeypatch.chdir(tmp_path)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_check_on_a_good_file_says_ok_with_the_number_of_steps(tmp_path: Path) -> None:
    path = write(tmp_path, "key.toml", GOOD)
    code, out, _ = recoup("policy", "check", str(path))
    assert code == 0
    assert out.strip() == f"{path}: OK, 2 steps"


def test_check_on_a_bad_file_prints_every_problem_with_its_line_and_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.toml", BAD)
    code, out, err = recoup("policy", "check", str(path))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}:3: settings: tolerance 5.0 is a float")
    assert lines[1] == f"{path}:9: step 'reminder-1': tone 'angry' is not one of friendly, firm, formal"
    assert lines[2].startswith(f"{path}:12: step 'call-1': offset 2 is not after the previous step's")
    assert len(lines) == 3
    assert "3 problem(s)" in err


def test_check_on_a_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "syntax.toml", GOOD.replace('action = "call"', "action = call"))
    code, out, _ = recoup("policy", "check", str(path))
    assert code == 1
    assert out.startswith(f"{path}:15: not valid TOML")


def test_check_on_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, _ = recoup("policy", "check", str(tmp_path / "missing.toml"))
    assert code == 2


def test_the_shipped_default_checks_ok() -> None:
    default = Path(__file__).resolve().parents[2] / "src" / "recoup" / "policy" / "default.toml"
    code, out, _ = recoup("policy", "check", str(default))
    assert code == 0
    assert out.strip().endswith("OK, 11 steps")


def test_show_json_without_a_file_prints_the_default_policy_in_force() -> None:
    code, out, _ = recoup("policy", "show", "--json")
    assert code == 0
    policy = json.loads(out)
    assert policy["name"] == "default"
    assert [s["id"] for s in policy["steps"]][:3] == ["courtesy", "reminder-1", "reminder-2"]
    assert policy["steps"][7] == {
        "id": "demand-letter",
        "offset": 60,
        "actions": ["letter"],
        "template": "demand-letter",
        "tone": "formal",
        "attach": [],
        "min_overdue": "0",
        "kinds": ["business", "consumer"],
        "segments": [],
        "needs_checklist": True,
        "needs_approval": False,
        "copy_owner": False,
        "consumer_ok": True,
    }
    assert policy["settings"]["tolerance"] == "0"
    assert policy["settings"]["demand_letter_days"] == 60


def test_show_json_of_a_file_gives_its_settings_and_who_it_applies_to(tmp_path: Path) -> None:
    code, out, _ = recoup("policy", "show", str(write(tmp_path, "key.toml", GOOD)), "--json")
    assert code == 0
    policy = json.loads(out)
    assert policy["settings"]["min_gap_days"] == 7
    assert policy["settings"]["tolerance"] == "10.00"
    assert policy["applies_to"] == {"segments": ["key-account"], "customers": []}
    assert policy["steps"][1]["min_overdue"] == "1000"


def test_show_takes_the_default_from_the_policies_folder(tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    write(folder, "default.toml", GOOD.replace('name = "key-accounts"', 'name = "house"'))
    code, out, _ = recoup("policy", "show", "--json")
    assert code == 0
    assert json.loads(out)["name"] == "house"


def test_show_prints_the_ladder_and_the_settings_as_tables() -> None:
    code, out, _ = recoup("policy", "show")
    assert code == 0
    assert "Policy default" in out
    for text in ("courtesy", "-5", "+180", "review_writeoff", "needs checklist", "Settings", "8:00 to 21:00"):
        assert text in out


def test_show_on_a_bad_file_prints_its_problems_and_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.toml", BAD)
    code, out, _ = recoup("policy", "show", str(path))
    assert code == 1
    assert f"{path}:9: step 'reminder-1': tone 'angry'" in out
