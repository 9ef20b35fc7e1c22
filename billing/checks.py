"""System checks for the Stripe settings (spec §9.2).

``check_stripe_settings`` is registered when this module is imported; ``BillingConfig``
imports it in ``ready()``. Each problem is an error, so ``manage.py check --deploy``
fails the deploy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, register

_LIVE = ("sk_live_", "rk_live_")
_TEST = ("sk_test_", "rk_test_")


@register("billing")
def check_stripe_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    key: str = settings.STRIPE_SECRET_KEY
    publishable: str = settings.STRIPE_PUBLISHABLE_KEY
    errors: list[CheckMessage] = []
    if not key:
        if publishable:
            errors.append(
                Error(
                    "STRIPE_PUBLISHABLE_KEY is set without STRIPE_SECRET_KEY.",
                    hint="Set both keys, or neither to use the demo checkout.",
                    id="billing.E001",
                )
            )
        return errors
    live = key.startswith(_LIVE)
    if not live and not key.startswith(_TEST):
        errors.append(
            Error(
                "STRIPE_SECRET_KEY is not a Stripe secret or restricted key.",
                hint="It starts with sk_live_, sk_test_, rk_live_ or rk_test_.",
                id="billing.E002",
            )
        )
    if not settings.STRIPE_WEBHOOK_SECRETS:
        errors.append(
            Error(
                "A Stripe key is set but no webhook signing secret.",
                hint="Set STRIPE_WEBHOOK_SECRETS to the endpoint's whsec_... secret; without it "
                "no payment can be confirmed.",
                id="billing.E003",
            )
        )
    elif any(not s.startswith("whsec_") for s in settings.STRIPE_WEBHOOK_SECRETS):
        errors.append(
            Error(
                "Every STRIPE_WEBHOOK_SECRETS entry is a whsec_... signing secret.",
                id="billing.E004",
            )
        )
    if live and settings.DEBUG:
        errors.append(
            Error(
                "A live Stripe key is used with DEBUG on.",
                hint="Use a test key for development, or turn DEBUG off.",
                id="billing.E005",
            )
        )
    if bool(settings.STRIPE_EXPECT_LIVEMODE) != live:
        errors.append(
            Error(
                "STRIPE_EXPECT_LIVEMODE contradicts the mode of STRIPE_SECRET_KEY.",
                hint="A test-mode event must never settle a live invoice, nor the reverse.",
                id="billing.E006",
            )
        )
    if publishable and publishable.startswith("pk_live_") != live:
        errors.append(
            Error(
                "STRIPE_PUBLISHABLE_KEY and STRIPE_SECRET_KEY are of different modes.",
                id="billing.E007",
            )
        )
    if not settings.STRIPE_API_VERSION:
        errors.append(Error("STRIPE_API_VERSION must pin an API version.", id="billing.E008"))
    return errors
