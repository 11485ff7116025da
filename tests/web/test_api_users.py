"""Signing in, users and tokens over the API."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from web_world import PASSWORD, USERS, DeskClient


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(server: TestClient) -> None:
    for email in (USERS["admin"], "nobody@supplier.example"):
        answer = server.post("/api/session", json={"email": email, "password": "not the password"})
        assert answer.status_code == 401
        assert answer.json()["error"]["message"] == "wrong email or password, or the user is deactivated"


def test_a_session_signs_in_and_out(desk: Callable[[str], DeskClient]) -> None:
    client = desk("collector")
    me = client.get("/api/session").json()
    assert me["user"] == {
        "email": USERS["collector"],
        "name": "Collector",
        "role": "collector",
        "active": True,
    }
    assert client.delete("/api/session", headers={"X-CSRF-Token": client.csrf}).status_code == 204
    assert client.get("/api/session").status_code == 401


def test_a_change_with_a_session_needs_the_csrf_token(desk: Callable[[str], DeskClient]) -> None:
    client = desk("admin")
    body = {"email": "new@supplier.example", "role": "viewer", "password": "a long password"}
    refused = client.post("/api/users", json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
    assert client.get("/api/users").json()[-1]["email"] == USERS["viewer"]  # nothing added
    made = client.post("/api/users", json=body, headers={"X-CSRF-Token": client.csrf})
    assert made.status_code == 201, made.text
    assert made.json()["email"] == "new@supplier.example"


def test_only_an_admin_manages_users(api: Callable[[str], TestClient]) -> None:
    for role in ("collector", "sales", "viewer"):
        answer = api(role).get("/api/users")
        assert (
            answer.status_code == 403
            and answer.json()["error"]["message"] == f"a {role} may not manage users and settings"
        )
    assert [u["role"] for u in api("admin").get("/api/users").json()] == [
        "admin",
        "sales",
        "collector",
        "viewer",
    ]


def test_bad_user_input_names_the_field(api: Callable[[str], TestClient]) -> None:
    admin = api("admin")
    cases = [
        ({"email": "not-an-address", "role": "viewer"}, "email"),
        ({"email": "x@supplier.example", "role": "boss"}, "role"),
        ({"email": "x@supplier.example", "role": "viewer", "password": "short"}, "password"),
        ({"email": "x@supplier.example", "role": "viewer", "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        answer = admin.post("/api/users", json=body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["field"] == field
    duplicate = admin.post("/api/users", json={"email": USERS["viewer"], "role": "viewer"})
    assert duplicate.status_code == 409
    assert len(admin.get("/api/users").json()) == 4


def test_a_token_is_shown_once_works_until_revoked_and_a_deactivated_user_is_locked_out(
    server: TestClient, desk: Callable[[str], DeskClient], api: Callable[[str], TestClient]
) -> None:
    client = desk("viewer")
    made = client.post("/api/tokens", json={"name": "dashboard"}, headers={"X-CSRF-Token": client.csrf})
    assert made.status_code == 201
    token, token_id = made.json()["token"], made.json()["id"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert server.get("/api/session", headers=bearer).json()["user"]["email"] == USERS["viewer"]
    listed = client.get("/api/tokens").json()
    assert [t["token"] for t in listed] == [None]  # never shown again
    assert client.delete(f"/api/tokens/{token_id}", headers={"X-CSRF-Token": client.csrf}).status_code == 204
    assert server.get("/api/session", headers=bearer).status_code == 401
    admin = api("admin")
    assert admin.patch(f"/api/users/{USERS['collector']}", json={"active": False}).json()["active"] is False
    answer = server.post("/api/session", json={"email": USERS["collector"], "password": PASSWORD})
    assert answer.status_code == 401


def test_a_request_without_credentials_is_told_how_to_sign_in(server: TestClient) -> None:
    answer = server.get("/api/users")
    assert answer.status_code == 401
    assert "Bearer" in answer.json()["error"]["message"] and answer.headers["www-authenticate"].startswith(
        "Bearer"
    )
    assert server.get("/api/users", headers={"Authorization": "Bearer rcp_forged"}).status_code == 401
