"""What billing tells the apps above it (core.events): typed, ids only, on commit.

Published by the billing services inside their transactions; handlers registered by
higher apps (intake retaining a lead once its retainer is paid) run after the
transaction commits. tests/test_events.py lists who listens to what.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class InvoicePaid(Event):
    """An issued invoice or payment request became paid in full (online through the
    webhook or the demo checkout, or a payment staff recorded). Once per move to paid."""

    invoice_id: uuid.UUID
    contact_id: uuid.UUID
