from __future__ import annotations

import pytest

from notifications import registry
from notifications.text import fill, placeholders_in, sms_segments


def test_plain_english_of_160_characters_is_one_gsm_segment() -> None:
    seg = sms_segments("a" * 160)
    assert (seg.encoding, seg.units, seg.segments, seg.per_segment) == ("GSM-7", 160, 1, 160)


def test_161_gsm_characters_need_two_segments_of_153() -> None:
    seg = sms_segments("a" * 161)
    assert (seg.segments, seg.per_segment) == (2, 153)
    assert sms_segments("a" * 306).segments == 2
    assert sms_segments("a" * 307).segments == 3


def test_extension_characters_count_twice() -> None:
    assert sms_segments("€" * 80).units == 160
    assert sms_segments("€" * 80).segments == 1
    assert sms_segments("€" * 81).segments == 2


def test_one_polish_letter_switches_to_ucs2_70_and_67() -> None:
    assert sms_segments("ą" + "a" * 69).encoding == "UCS-2"
    assert sms_segments("ą" + "a" * 69).segments == 1
    assert sms_segments("ą" + "a" * 70).segments == 2
    assert sms_segments("ą" * 134).segments == 2
    assert sms_segments("ą" * 135).segments == 3


def test_russian_is_ucs2_and_emoji_take_two_units() -> None:
    assert sms_segments("Привет").encoding == "UCS-2"
    assert sms_segments("😀").units == 2


def test_spanish_n_tilde_and_inverted_marks_stay_gsm_but_accented_a_does_not() -> None:
    assert sms_segments("¿mañana? ¡sí!").encoding == "UCS-2"  # í is not in GSM-7
    assert sms_segments("¿mañana? ¡si!").encoding == "GSM-7"


def test_empty_text_is_zero_segments() -> None:
    assert sms_segments("").segments == 0


# Every notice whose wording the firm may edit, whichever app registered it.
EDITABLE = [notice.event for notice in registry.editable_notices()]


def _sms(event: str, language: str) -> str:
    notice = registry.notice(event)
    return fill(notice.sms[language], notice.preview_values())


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("event", EDITABLE)
def test_default_sms_fit_one_gsm_segment_where_the_language_allows(
    language: str, event: str
) -> None:
    text = _sms(event, language)
    seg = sms_segments(text)
    assert seg.encoding == "GSM-7", text
    assert seg.segments == 1, text


@pytest.mark.parametrize("language", ["pl", "ru"])
@pytest.mark.parametrize("event", EDITABLE)
def test_default_sms_in_polish_and_russian_stay_within_two_ucs2_segments(
    language: str, event: str
) -> None:
    assert sms_segments(_sms(event, language)).segments <= 2


@pytest.mark.parametrize("language", ["en", "pl", "es", "ru"])
@pytest.mark.parametrize("event", EDITABLE)
def test_defaults_use_only_allowed_placeholders_and_have_one_link(
    language: str, event: str
) -> None:
    notice = registry.notice(event)
    allowed = set(notice.placeholders)
    email = notice.email[language]
    sms = notice.sms[language]
    for text in (email.subject, email.body, sms):
        assert placeholders_in(text) <= allowed
    assert email.body.count("{link}") == 1
    assert sms.count("{link}") == 1


def test_fill_leaves_unknown_and_format_tricks_alone() -> None:
    assert fill("{name} {0.__class__} {unknown}", {"name": "Ann"}) == "Ann {0.__class__} {unknown}"
