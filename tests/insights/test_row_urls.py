"""A drill-down row's link (insights.metrics.common.url) is reverse()'s, though reversed
once per URL name: for every URL name the metrics link to, under every language and
under a script prefix (the project has no i18n_patterns; a language must not change it
either way)."""

from __future__ import annotations

import pathlib
import re
import uuid

import pytest
from django.conf import settings
from django.urls import reverse, set_script_prefix
from django.utils import translation

from insights.metrics import common

METRICS_DIR = pathlib.Path(common.__file__).parent
NAMES = (
    "billing:staff-contact-billing",
    "billing:staff-invoice",
    "intake:staff-lead",
    "scheduling:staff-appointment",
    "staff:contact-detail",
    "staff:matter-detail",
)
IDS = (uuid.uuid4(), uuid.UUID("00000000-0000-4000-8000-000000000001"), uuid.uuid4())


def test_the_names_checked_are_every_name_the_metrics_link_to() -> None:
    used = set()
    for source in METRICS_DIR.glob("*.py"):
        used |= set(re.findall(r'common\.(?:url|link)\(\s*"([^"]+)"', source.read_text()))
    assert used == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_a_row_link_is_what_reverse_gives(name: str) -> None:
    for language, _label in settings.LANGUAGES:
        with translation.override(language):
            for pk in IDS:
                assert common.url(name, pk) == reverse(name, args=[str(pk)]), (name, language)
                assert common.url(name, str(pk)) == reverse(name, args=[str(pk)])


@pytest.mark.parametrize("name", NAMES)
def test_a_row_link_follows_the_script_prefix(name: str) -> None:
    plain = common.url(name, IDS[0])
    set_script_prefix("/atrium/")
    try:
        prefixed = common.url(name, IDS[0])
        assert prefixed == reverse(name, args=[str(IDS[0])])
        assert prefixed == "/atrium" + plain
    finally:
        set_script_prefix("/")
    assert common.url(name, IDS[0]) == plain


def test_a_text_argument_is_quoted_as_reverse_quotes_it() -> None:
    for key in ("M-2026", "née ü", "a b+c"):
        assert common.url("staff:matter-detail", key) == reverse("staff:matter-detail", args=[key])


def test_a_rows_link_is_made_when_shown_and_is_the_same_address() -> None:
    from insights.metrics import common

    lazy_link = common.link("staff:matter-detail", "8f14e45f-ceea-4e2b-9c4c-0d1f0a8e5b11")

    assert str(lazy_link) == common.url(
        "staff:matter-detail", "8f14e45f-ceea-4e2b-9c4c-0d1f0a8e5b11"
    )
    assert lazy_link == reverse(
        "staff:matter-detail", args=["8f14e45f-ceea-4e2b-9c4c-0d1f0a8e5b11"]
    )
