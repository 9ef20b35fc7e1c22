from __future__ import annotations

from typing import Any

import pytest

from billing.gateway import StripeGateway
from tests.billing.stripe_fake import FakeStripe


@pytest.fixture
def fake_stripe() -> FakeStripe:
    return FakeStripe()


@pytest.fixture
def gateway(fake_stripe: FakeStripe, settings: Any) -> StripeGateway:
    """The real gateway and the real stripe library; only the HTTP layer is fake."""
    settings.STRIPE_SECRET_KEY = "sk_test_atrium_fake"
    return StripeGateway(http_client=fake_stripe)
