"""What portal tells the apps above it (core.events): typed, ids only, on commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.events import Event


@dataclass(frozen=True)
class MatterStageChanged(Event):
    """A matter moved along its stages (e.g. to closed: insights asks for an NPS answer)."""

    matter_id: uuid.UUID
    from_stage: str
    to_stage: str
    changed_by_id: int | None


@dataclass(frozen=True)
class MatterPartiesChanged(Event):
    """A party was added to a matter, changed role or was removed (intake re-checks)."""

    matter_id: uuid.UUID
    contact_id: uuid.UUID | None


@dataclass(frozen=True)
class ContactNamesChanged(Event):
    """A contact was created, renamed, gained an alias or changed an identifier."""

    contact_id: uuid.UUID
