"""Aging, interest and the policy over the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from recoup.entrypoints.cli import app as cli
from recoup.services.policies import default_policy

Api = Callable[[str], TestClient]

# The shipped German base rate is known to 2026-04-30; the examples' invoices fall due later.
BASE_RATE = """# name: de-basiszins
# valid_until: 2026-12-31
effective,rate,source
2026-07-01,1.27,the rate of 2026-01-01 carried on for the tests
"""


@pytest.fixture(autouse=True)
def _rates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "rates"
    folder.mkdir()
    (folder / "de-basiszins.csv").write_text(BASE_RATE, encoding="utf-8")
    monkeypatch.setenv("RECOUP_RATES", str(folder))


def refused(answer: Any, status: int, message: str | None = None, field: str | None = None) -> None:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    if message is not None:
        assert error["message"] == message, error
    if field is not None:
        assert error["field"] == field, error


# --- aging -----------------------------------------------------------------------------------------


def test_aging_uses_the_edges_asked_for_and_totals_every_row(api: Api) -> None:
    viewer = api("viewer")
    report = viewer.get("/api/aging", params={"edges": "0,15,45"}).json()
    assert report["buckets"] == ["not_due", "1-15", "16-45", "46+"]
    rows = {r["customer_id"]: r for r in report["rows"]["items"]}
    assert rows["ACME-DE"]["buckets"] == {
        "not_due": "0.00",
        "1-15": "0.00",
        "16-45": "4500.50",
        "46+": "5000.00",
    }
    assert rows["SMITH"]["buckets"]["16-45"] == "420.00"
    assert [(t["currency"], t["total"]) for t in report["totals"]] == [("EUR", "9500.50"), ("GBP", "420.00")]
    default = viewer.get("/api/aging").json()
    assert default["edges"] == [0, 30, 60, 90] and default["buckets"][-1] == "91+"
    page = viewer.get("/api/aging", params={"limit": 1, "offset": 1}).json()
    assert [r["customer_id"] for r in page["rows"]["items"]] == ["SMITH"] and page["rows"]["total"] == 2
    assert len(page["totals"]) == 2  # the totals are of every row, not of the page
    # On 2026-09-01 INV-1001 had 5,000.00 left and DUPONT's INV-1003 (paid on 2026-10-05) was open.
    earlier = viewer.get("/api/aging", params={"as_of": "2026-09-01"}).json()
    assert [(r["customer_id"], r["total"]) for r in earlier["rows"]["items"]] == [
        ("ACME-DE", "5000.00"),
        ("DUPONT", "8200.00"),
    ]


def test_a_sales_users_aging_holds_its_own_accounts(api: Api) -> None:
    report = api("sales").get("/api/aging").json()
    assert [r["customer_id"] for r in report["rows"]["items"]] == ["ACME-DE"]
    assert [t["currency"] for t in report["totals"]] == ["EUR"]


def test_bad_aging_edges_are_refused_naming_them(api: Api) -> None:
    viewer = api("viewer")
    for edges in ("30,60", "0,60,30", "0,x", "0,99999", ",".join(str(n) for n in range(30))):
        refused(viewer.get("/api/aging", params={"edges": edges}), 422, field="edges")


# --- interest --------------------------------------------------------------------------------------


def cli_interest(web_db: str, invoice: str, as_of: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["interest", invoice, "--as-of", as_of, "--db", web_db, "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def test_interest_on_an_invoice_is_what_the_command_line_computes(api: Api, web_db: str) -> None:
    answer = api("viewer").get("/api/interest", params={"invoice": "INV-1001", "as_of": "2026-11-23"})
    assert answer.status_code == 200, answer.text
    got, expected = answer.json(), cli_interest(web_db, "INV-1001", "2026-11-23")
    assert (got["interest"], got["compensation"], got["total"]) == (
        expected["interest"],
        expected["compensation"],
        expected["total"],
    )
    assert Decimal(got["interest"]) > 0 and got["jurisdiction"] == expected["jurisdiction"] == "DE"
    assert [(x["start"], x["end"], x["amount"]) for x in got["segments"]] == [
        (x["from"], x["to"], x["amount"]) for x in expected["segments"]
    ]


def test_interest_on_a_customer_sums_its_overdue_invoices_per_currency(api: Api, web_db: str) -> None:
    answer = api("viewer").get("/api/customers/ACME-DE/interest", params={"as_of": "2026-11-23"})
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert [i["invoice"] for i in got["invoices"]] == ["INV-1001", "INV-1002"]
    each = [cli_interest(web_db, n, "2026-11-23") for n in ("INV-1001", "INV-1002")]
    assert got["totals"] == [
        {
            "currency": "EUR",
            "interest": str(sum(Decimal(e["interest"]) for e in each)),
            "compensation": str(sum(Decimal(e["compensation"]) for e in each)),
            "total": str(sum(Decimal(e["total"]) for e in each)),
        }
    ]
    assert api("viewer").get("/api/customers/DUPONT/interest").json()["invoices"] == []


def test_interest_refuses_an_unknown_invoice_a_missing_rate_and_anothers_account(api: Api) -> None:
    viewer = api("viewer")
    refused(viewer.get("/api/interest", params={"invoice": "INV-0000"}), 422, field="invoice")
    refused(viewer.get("/api/interest"), 422, field="invoice")
    missing = viewer.get("/api/interest", params={"invoice": "INV-1001", "as_of": "2027-03-01"})
    refused(missing, 422)
    assert "de-basiszins" in missing.json()["error"]["message"]
    refused(api("sales").get("/api/interest", params={"invoice": "INV-1005"}), 403)
    refused(api("sales").get("/api/customers/SMITH/interest"), 403)


# --- the policy ------------------------------------------------------------------------------------


def test_the_policy_reads_as_json_with_its_steps(api: Api) -> None:
    viewer = api("viewer")
    policy = viewer.get("/api/policy").json()
    shipped = default_policy()
    assert policy["name"] == shipped.name
    assert [(s["id"], s["offset"]) for s in policy["steps"]] == [(s.id, s.offset) for s in shipped.steps]
    assert viewer.get("/api/policy", params={"customer_id": "ACME-DE"}).json()["name"] == shipped.name
    listed = viewer.get("/api/policies").json()
    assert [p["name"] for p in listed["items"]] == [shipped.name] and listed["total"] == 1
    refused(viewer.get("/api/policy", params={"customer_id": "NOBODY"}), 422, field="customer_id")
    refused(api("sales").get("/api/policy", params={"customer_id": "DUPONT"}), 403)
