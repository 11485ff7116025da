"""Which policy a customer follows (their own, their segment's, else the default) and the files behind it."""

from __future__ import annotations

from pathlib import Path

import pytest

from recoup.domain.errors import PolicyError
from recoup.policy.model import Action, Policy, Step
from recoup.services.policies import PolicyBook, default_policy, load_book, load_policy

STEPS = (Step("reminder-1", 1, (Action.EMAIL,), "reminder-1"),)


def policy(name: str, segments: tuple[str, ...] = (), customers: tuple[str, ...] = ()) -> Policy:
    return Policy(name, STEPS, applies_segments=segments, applies_customers=customers)


def policy_file(name: str, applies: str = "") -> str:
    return (
        f'name = "{name}"\n{applies}\n'
        '[[step]]\nid = "reminder-1"\noffset = 3\naction = "email"\ntemplate = "reminder-1"\n'
    )


DEFAULT = policy("default")
KEY_ACCOUNTS = policy("key-accounts", segments=("key-account",))
VIP = policy("vip", customers=("C-001",), segments=("vip",))


def test_a_customer_in_no_policy_follows_the_default() -> None:
    book = PolicyBook(DEFAULT, (KEY_ACCOUNTS, VIP))
    assert book.for_customer("C-999", "retail") is DEFAULT
    assert book.for_customer("C-999", "") is DEFAULT


def test_a_customer_in_a_listed_segment_follows_that_segments_policy() -> None:
    book = PolicyBook(DEFAULT, (KEY_ACCOUNTS, VIP))
    assert book.for_customer("C-002", "key-account") is KEY_ACCOUNTS
    assert book.for_customer("C-003", "vip") is VIP


def test_a_policy_listing_the_customer_wins_over_the_segments_policy() -> None:
    book = PolicyBook(DEFAULT, (KEY_ACCOUNTS, VIP))
    assert book.for_customer("C-001", "key-account") is VIP


def test_two_policies_claiming_the_same_segment_are_refused_when_the_book_is_built() -> None:
    with pytest.raises(PolicyError) as raised:
        PolicyBook(DEFAULT, (KEY_ACCOUNTS, policy("other", segments=("key-account",))))
    assert [p.message for p in raised.value.problems] == [
        "segment 'key-account' is claimed by policies 'key-accounts' and 'other' "
        "(a segment may be listed by one policy only)"
    ]


def test_two_policies_claiming_the_same_customer_are_refused_when_the_book_is_built() -> None:
    with pytest.raises(PolicyError, match="conflict") as raised:
        PolicyBook(DEFAULT, (VIP, policy("other", customers=("C-001",))))
    assert "customer 'C-001' is claimed by policies 'vip' and 'other'" in raised.value.problems[0].message


def test_two_policies_with_the_same_name_are_refused() -> None:
    with pytest.raises(PolicyError):
        PolicyBook(DEFAULT, (policy("default", segments=("x",)),))


def test_without_a_folder_the_book_holds_the_shipped_default_alone() -> None:
    book = load_book(None)
    assert book.default is default_policy()
    assert book.others == ()
    assert book.default.name == "default"


def test_a_folder_gives_every_toml_file_and_its_default_toml_replaces_the_shipped_default(
    tmp_path: Path,
) -> None:
    (tmp_path / "default.toml").write_text(policy_file("house"), encoding="utf-8")
    (tmp_path / "key.toml").write_text(
        policy_file("key-accounts", '[applies_to]\nsegments = ["key-account"]'), encoding="utf-8"
    )
    (tmp_path / "notes.txt").write_text("not a policy", encoding="utf-8")
    book = load_book(tmp_path)
    assert book.default.name == "house"
    assert [p.name for p in book.others] == ["key-accounts"]
    assert book.for_customer("C-1", "key-account").name == "key-accounts"
    assert book.for_customer("C-1", "retail").name == "house"


def test_a_folder_without_default_toml_keeps_the_shipped_default(tmp_path: Path) -> None:
    (tmp_path / "vip.toml").write_text(policy_file("vip", '[applies_to]\ncustomers = ["C-001"]'), "utf-8")
    book = load_book(tmp_path)
    assert book.default is default_policy()
    assert book.for_customer("C-001", "").name == "vip"


def test_a_bad_file_in_the_folder_raises_its_problems_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(policy_file("bad").replace("offset = 3", "offset = 3.0"), encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_book(tmp_path)
    assert raised.value.source == str(path)
    assert raised.value.lines() == [
        f"{path}:5: step 'reminder-1': offset 3.0 is a float (expected an integer)"
    ]


def test_conflicting_files_in_the_folder_are_refused(tmp_path: Path) -> None:
    applies = '[applies_to]\nsegments = ["retail"]'
    (tmp_path / "a.toml").write_text(policy_file("a", applies), encoding="utf-8")
    (tmp_path / "b.toml").write_text(policy_file("b", applies), encoding="utf-8")
    with pytest.raises(PolicyError, match="conflict"):
        load_book(tmp_path)


def test_a_folder_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="no such folder"):
        load_book(tmp_path / "missing")


def test_a_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'name = "x"\n# caf\xe9\n')
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    assert raised.value.lines() == [f"{path}:2: the file is not UTF-8 text"]


def test_the_policies_setting_is_the_policies_folder_in_the_working_directory_when_it_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recoup.settings import load_settings

    monkeypatch.delenv("RECOUP_POLICIES", raising=False)
    monkeypatch.chdir(tmp_path)
    assert load_settings().policies is None
    (tmp_path / "policies").mkdir()
    assert load_settings().policies == Path("policies")
    monkeypatch.setenv("RECOUP_POLICIES", str(tmp_path / "elsewhere"))
    assert load_settings().policies == tmp_path / "elsewhere"
