"""The content a message to a consumer must carry, by jurisdiction."""

from __future__ import annotations

from recoup.law.guards import consumer_notices


def test_a_us_consumer_gets_the_validation_notice_and_a_business_gets_none() -> None:
    assert [n.code for n in consumer_notices("US-NY", consumer=True)] == ["us-validation"]
    assert consumer_notices("US-NY", consumer=False) == ()


def test_a_german_consumers_first_demand_carries_the_interest_calculation() -> None:
    (notice,) = consumer_notices("de", consumer=True)
    assert notice.code == "de-rdg-13a" and "interest calculation" in notice.text


def test_a_jurisdiction_without_a_content_rule_needs_no_notice() -> None:
    assert consumer_notices("KR", consumer=True) == ()
