"""Form schemas: what publishing refuses, and how answers are cleaned on the server."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from intake import samples, schema


def _field(key: str, kind: str = "text", **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": kind, "label": {"en": key.title()}, **extra}


def _problems(fields: list[dict[str, Any]]) -> list[str]:
    with pytest.raises(schema.SchemaError) as caught:
        schema.validate_schema({"fields": fields})
    return caught.value.problems


def test_the_sample_forms_pass_every_publish_check() -> None:
    assert schema.validate_schema({"fields": samples.initial_consultation()})
    assert schema.validate_schema({"fields": samples.immigration()})


def test_publish_refuses_a_key_used_twice() -> None:
    problems = _problems([_field("name"), _field("name")])

    assert problems == ["The key “name” is used twice."]


def test_a_rule_may_reference_only_an_earlier_question() -> None:
    later = {"all": [{"field": "married", "op": "eq", "value": "yes"}]}

    problems = _problems([_field("spouse", visible_if=later), _field("married", "yes_no")])

    assert problems == ["spouse: a rule may use only an earlier question, not “married”."]


def test_a_rule_on_itself_is_refused_so_no_cycle_can_exist() -> None:
    own = {"all": [{"field": "a", "op": "answered"}]}

    assert _problems([_field("a", visible_if=own)]) == [
        "a: a rule may use only an earlier question, not “a”."
    ]


def test_publish_refuses_unknown_operators_and_option_values() -> None:
    fields = [
        _field("married", "yes_no"),
        _field("x", visible_if={"all": [{"field": "married", "op": "like", "value": "y"}]}),
        _field("y", visible_if={"all": [{"field": "married", "op": "eq", "value": "maybe"}]}),
    ]

    assert _problems(fields) == [
        "x: unknown operator “like”.",
        "y: “maybe” is not an answer “married” offers.",
    ]


def test_publish_refuses_a_maps_to_target_of_the_wrong_type_or_twice() -> None:
    fields = [
        _field("mail", "text", maps_to="contact.email"),
        _field("first", maps_to="contact.first_name"),
        _field("again", maps_to="contact.first_name"),
        _field("where", maps_to="matter.title"),
    ]

    assert _problems(fields) == [
        "mail: it cannot fill “contact.email”.",
        "again: another question already fills “contact.first_name”.",
        "where: it cannot fill “matter.title”.",
    ]


def test_files_are_refused_in_stage_one_and_choices_need_options() -> None:
    problems = _problems([_field("scan", "file", stage=1), _field("pick", "select", options=[])])

    assert problems == [
        "scan: files are asked only in stage 2, after the conflict check.",
        "pick: give 1 to 50 options.",
    ]


def test_an_english_label_is_required() -> None:
    assert _problems([{"key": "a", "type": "text", "label": {"pl": "A"}}]) == [
        "a: an English label is required."
    ]


FIELDS = samples.initial_consultation()


def test_required_means_required_when_visible() -> None:
    data = {"first_name": "A", "last_name": "B", "email": "a@b.pl", "topic": "family"}

    hidden = schema.clean_answers(FIELDS, {**data, "has_other_side": "no"}, stage=1)
    shown = schema.clean_answers(FIELDS, {**data, "has_other_side": "yes"}, stage=1)

    assert hidden.ok
    assert shown.errors == {"other_parties": ["Please answer this question."]}


def test_the_value_of_a_hidden_question_is_dropped_before_storage() -> None:
    data = {
        "first_name": "A",
        "last_name": "B",
        "email": "a@b.pl",
        "topic": "family",
        "has_other_side": "no",
        "other_parties__name": ["Stale Name"],
        "other_parties__role": ["adverse"],
    }

    cleaned = schema.clean_answers(FIELDS, data, stage=1)

    assert cleaned.ok
    assert "other_parties" not in cleaned.answers
    assert "Stale" not in str(cleaned.answers)


def test_an_any_rule_and_the_in_operator() -> None:
    fields = samples.immigration()
    base = {"first_name": "A", "last_name": "B", "email": "a@b.pl", "country_of_origin": "UA"}

    visa = schema.clean_answers(
        fields, {**base, "status": "visa", "permit_expires": "2026-09-01"}, stage=1
    )
    permanent = schema.clean_answers(
        fields, {**base, "status": "permanent", "permit_expires": "2026-09-01"}, stage=1
    )

    assert visa.answers["permit_expires"] == "2026-09-01"
    assert "permit_expires" not in permanent.answers


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 20_000, "Please keep this under 200 characters (you typed 20000)."),
        ("<script>alert(1)</script>\x00", None),
    ],
)
def test_bad_text_gets_a_clear_message(value: str, message: str | None) -> None:
    cleaned = schema.clean_answers(FIELDS, {"first_name": value}, stage=1, require=False)

    assert "first_name" in cleaned.errors
    if message:
        assert cleaned.errors["first_name"] == [message]
    assert "first_name" not in cleaned.answers


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30", "tomorrow"])
def test_dates_out_of_range_or_invalid_are_refused(day: str) -> None:
    cleaned = schema.clean_answers(FIELDS, {"deadline": day}, stage=1, require=False)

    assert cleaned.errors["deadline"]


def test_fifty_party_blocks_are_refused() -> None:
    data = {
        "has_other_side": "yes",
        "other_parties__name": [f"Person {i}" for i in range(50)],
        "other_parties__role": ["adverse"] * 50,
    }

    cleaned = schema.clean_answers(FIELDS, data, stage=1, require=False)

    assert cleaned.errors["other_parties"] == ["Name at most 20 people or organisations here."]


def test_an_unknown_posted_field_and_an_unknown_option_are_not_stored() -> None:
    cleaned = schema.clean_answers(
        FIELDS, {"topic": "bribery", "is_admin": "1"}, stage=1, require=False
    )

    assert cleaned.errors["topic"] == ["Choose from the options given."]
    assert "is_admin" not in cleaned.answers and "is_admin" not in cleaned.typed


def test_messages_come_in_the_persons_language() -> None:
    with translation.override("pl"):
        cleaned = schema.clean_answers(FIELDS, {}, stage=1)

    assert cleaned.errors["first_name"] == ["Prosimy o odpowiedź na to pytanie."]


def test_phone_numbers_are_stored_in_e164() -> None:
    fields = [_field("phone", "phone")]

    cleaned = schema.clean_answers(fields, {"phone": "601 234 567"}, stage=None)

    assert cleaned.answers == {"phone": "+48601234567"}


def test_countries_have_names_in_every_language() -> None:
    assert dict(schema.countries("pl"))["UA"] == "Ukraina"
    assert dict(schema.countries("ru"))["PL"] == "Польша"
    assert dict(schema.countries("es"))["DE"] == "Alemania"
