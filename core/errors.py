"""The one error a service raises to refuse a write."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused write; the message is shown to the person as it is (already translated)."""
