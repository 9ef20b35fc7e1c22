from __future__ import annotations

from typing import Any

import pytest

from billing.checks import check_stripe_settings


def ids(settings: Any, **values: Any) -> set[str]:
    for name, value in values.items():
        setattr(settings, name, value)
    return {message.id for message in check_stripe_settings()}


GOOD_TEST = {
    "STRIPE_SECRET_KEY": "sk_test_x",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_x",
    "STRIPE_WEBHOOK_SECRETS": ["whsec_a"],
    "STRIPE_EXPECT_LIVEMODE": False,
    "DEBUG": True,
}
GOOD_LIVE = {
    "STRIPE_SECRET_KEY": "rk_live_x",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_x",
    "STRIPE_WEBHOOK_SECRETS": ["whsec_new", "whsec_old"],
    "STRIPE_EXPECT_LIVEMODE": True,
    "DEBUG": False,
}


def test_no_stripe_at_all_is_fine(settings: Any) -> None:
    assert ids(settings, STRIPE_SECRET_KEY="", STRIPE_PUBLISHABLE_KEY="") == set()


@pytest.mark.parametrize("good", [GOOD_TEST, GOOD_LIVE])
def test_consistent_settings_pass(settings: Any, good: dict[str, Any]) -> None:
    assert ids(settings, **good) == set()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"STRIPE_WEBHOOK_SECRETS": []}, "billing.E003"),
        ({"STRIPE_WEBHOOK_SECRETS": ["secret"]}, "billing.E004"),
        ({"DEBUG": True}, "billing.E005"),
        ({"STRIPE_EXPECT_LIVEMODE": False}, "billing.E006"),
        ({"STRIPE_PUBLISHABLE_KEY": "pk_test_x"}, "billing.E007"),
        ({"STRIPE_SECRET_KEY": "pk_live_wrong"}, "billing.E002"),
        ({"STRIPE_API_VERSION": ""}, "billing.E008"),
    ],
)
def test_each_inconsistency_fails_the_deploy(
    settings: Any, changes: dict[str, Any], expected: str
) -> None:
    assert expected in ids(settings, **{**GOOD_LIVE, **changes})


def test_a_publishable_key_alone_is_an_error(settings: Any) -> None:
    assert ids(settings, STRIPE_SECRET_KEY="", STRIPE_PUBLISHABLE_KEY="pk_test_x") == {
        "billing.E001"
    }
