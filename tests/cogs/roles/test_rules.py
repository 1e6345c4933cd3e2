"""The pure rules: which roles may be registered or joined, and which an alert mentions."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.alerts.rules import AlertFacts, Filters, matches
from cogs.roles import rules
from cogs.roles.rules import RoleCheck

FACTS = AlertFacts(
    alert_id=1,
    guild_id=10,
    platform="mturk",
    title="Rate street images",
    reward_cents=300,
    currency="USD",
    hourly_cents=1250,
    sharer_id=5,
    requester_name="Acme Research",
)


@pytest.mark.parametrize(
    ("check", "refusal"),
    [
        (RoleCheck(), None),
        (RoleCheck(in_guild=False), "roles.errors.not_here"),
        (RoleCheck(is_default=True), "roles.errors.everyone"),
        (RoleCheck(managed=True), "roles.errors.managed"),
        (RoleCheck(mentionable=True), "roles.errors.mentionable"),
        (RoleCheck(actor_can_assign=False), "roles.errors.actor_cannot_assign"),
        (RoleCheck(bot_manages_roles=False), "roles.errors.bot_no_manage_roles"),
        (RoleCheck(below_bot=False), "roles.errors.above_bot"),
        # what the role is wins over what the people lack
        (RoleCheck(is_default=True, actor_can_assign=False), "roles.errors.everyone"),
        (RoleCheck(managed=True, below_bot=False), "roles.errors.managed"),
    ],
)
def test_add_refusal(check: RoleCheck, refusal: str | None) -> None:
    assert rules.add_refusal(check) == refusal


@pytest.mark.parametrize(
    ("check", "registered", "refusal"),
    [
        (RoleCheck(), True, None),
        (RoleCheck(), False, "roles.errors.not_registered"),
        (RoleCheck(in_guild=False), True, "roles.errors.not_registered"),
        (RoleCheck(is_default=True), True, "roles.errors.not_registered"),
        (RoleCheck(bot_manages_roles=False), True, "roles.errors.bot_no_manage_roles"),
        (RoleCheck(below_bot=False), True, "roles.errors.above_bot"),
        # the member's own rights do not matter: the bot hands out registered roles
        (RoleCheck(actor_can_assign=False), True, None),
    ],
)
def test_join_refusal(check: RoleCheck, registered: bool, refusal: str | None) -> None:
    assert rules.join_refusal(check, registered=registered) == refusal


def test_roles_to_mention_uses_the_alert_filters() -> None:
    roles = [
        (3, Filters(platform="mturk", min_hourly_cents=1200, currency="USD")),
        (1, Filters()),
        (2, Filters(platform="prolific")),
        (4, Filters(min_hourly_cents=1300, currency="USD")),
        (5, Filters(min_hourly_cents=500, currency="GBP")),  # no conversion
        (6, Filters(keywords=("street",))),
        (1, Filters(platform="mturk")),  # the same role twice is mentioned once
    ]
    assert rules.roles_to_mention(roles, FACTS) == [1, 3, 6]


def test_a_scam_requester_mentions_no_role() -> None:
    roles = [(1, Filters())]
    assert rules.roles_to_mention(roles, FACTS) == [1]
    caution = dataclasses.replace(FACTS, requester_status="caution")
    assert rules.roles_to_mention(roles, caution) == [1]
    scam = dataclasses.replace(FACTS, requester_status="scam")
    assert rules.roles_to_mention(roles, scam) == []
    assert not rules.may_announce(scam)


@given(
    hourly=st.integers(min_value=1, max_value=100_000),
    threshold=st.integers(min_value=1, max_value=100_000),
    platform=st.sampled_from(["mturk", "prolific", None]),
)
def test_a_role_matches_exactly_when_a_subscription_would(
    hourly: int, threshold: int, platform: str | None
) -> None:
    filters = Filters(platform=platform, min_hourly_cents=threshold, currency="USD")
    facts = dataclasses.replace(FACTS, hourly_cents=hourly)
    expected = [7] if matches(filters, facts) else []
    assert rules.roles_to_mention([(7, filters)], facts) == expected
