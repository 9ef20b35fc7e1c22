"""Grading one index entry against one query: identifiers, names, roles, reasons."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from rapidfuzz import fuzz

from intake.conflicts_engine import (
    REASON_DESCRIPTIONS,
    Candidate,
    Grade,
    Hit,
    MatchConfig,
    Query,
    ReasonCode,
    build_entry_keys,
    score,
)
from intake.names import NameKind


def check(
    query: str,
    entry: str,
    *,
    query_role: str | None = None,
    entry_role: str | None = None,
    config: MatchConfig | None = None,
    query_ids: dict | None = None,
    entry_ids: dict | None = None,
) -> Hit[int] | None:
    q = Query(build_entry_keys(query, **(query_ids or {})), query_role)
    c = Candidate(1, build_entry_keys(entry, **(entry_ids or {})), entry_role)
    return score(q, c, config=config) if config else score(q, c)


def test_the_same_email_is_high_whatever_the_names():
    hit = check(
        "Anna Nowak",
        "Kowalski Deweloper sp. z o.o.",
        query_ids={"emails": ["Biuro@Kowalski.pl"]},
        entry_ids={"emails": ["biuro@kowalski.pl "]},
    )
    assert hit and hit.grade is Grade.HIGH
    assert (hit.reason, hit.detail) == ("email_exact", "biuro@kowalski.pl")
    assert hit.score == 100


def test_the_same_phone_written_two_ways_is_high():
    hit = check(
        "Anna Nowak",
        "Maria Zielińska",
        query_ids={"phones": ["600 100 200"]},
        entry_ids={"phones": ["+48 600-100-200"]},
    )
    assert hit and hit.grade is Grade.HIGH and hit.reason == "phone_exact"
    assert hit.detail == "+48600100200"


def test_a_vat_number_finds_the_same_firm_entered_by_nip():
    hit = check(
        "Alfa sp. z o.o.",
        "ALFA Spółka z ograniczoną odpowiedzialnością",
        query_ids={"tax_ids": ["PL 123-456-32-18"]},
        entry_ids={"tax_ids": [("nip", "1234563218")]},
    )
    assert hit and hit.grade is Grade.HIGH
    assert hit.reasons[0].code is ReasonCode.TAX_ID_EXACT


def test_date_of_birth_and_surname_is_high():
    hit = check(
        "Anna Kowalska",
        "A. Kowalska",
        query_ids={"birth_dates": ["1985-03-12"]},
        entry_ids={"birth_dates": [dt.date(1985, 3, 12)]},
    )
    assert hit and hit.grade is Grade.HIGH
    assert (hit.reason, hit.detail) == ("dob_surname", "1985-03-12 + kowalska")


def test_a_pesel_date_of_birth_meets_a_typed_one():
    hit = check(
        "Jan Zieliński",
        "Jan Zielinski",
        query_ids={"tax_ids": ["44051401359"]},
        entry_ids={"birth_dates": ["14.05.1944"]},
    )
    assert hit and any(r.code is ReasonCode.DOB_SURNAME for r in hit.reasons)


def test_date_of_birth_alone_is_nothing():
    assert (
        check(
            "Anna Kowalska",
            "Maria Nowak",
            query_ids={"birth_dates": ["1985-03-12"]},
            entry_ids={"birth_dates": ["1985-03-12"]},
        )
        is None
    )


def test_gendered_surnames_explain_the_family_key():
    hit = check("Anna Kowalska", "Anna Kowalski")
    assert hit and hit.grade is Grade.REVIEW
    assert (hit.reason, hit.detail) == ("surname_family", "kowalsk ~ kowalsk")


def test_full_name_detail_names_the_variant_pair():
    query, entry = build_entry_keys("Щербаков Алексей"), build_entry_keys("Aleksiej Szczerbakow")
    hit = score(Query(query), Candidate(1, entry))
    assert hit and hit.grade is Grade.HIGH and hit.reason == "name_full"
    left, right = hit.detail.split(" ~ ")
    assert left in query.variant_keys and right in entry.variant_keys
    assert fuzz.token_sort_ratio(left, right) == hit.score


def test_the_summary_lists_every_reason_for_the_report_row():
    hit = check(
        "Anna Kowalska",
        "Anna Kowalski",
        query_ids={"emails": ["a@k.pl"]},
        entry_ids={"emails": ["a@k.pl"]},
    )
    assert hit and hit.summary() == "email_exact: a@k.pl; surname_family: kowalsk ~ kowalsk"


def test_a_name_inside_a_longer_one_is_not_a_full_match():
    # WRatio's partial matching would put these near 90 and call them the same person.
    hit = check("Jan Nowak", "Jan Nowakowski-Zieliński")
    assert hit is None or hit.grade is not Grade.HIGH


def test_a_firm_named_after_a_person_is_reviewed_not_high():
    hit = check("Jan Nowak", "Jan Nowak sp. z o.o.")
    assert hit and hit.grade is Grade.REVIEW and hit.reason == "name_subset"


def test_thresholds_are_configurable_in_one_place():
    # 94.7 on the best variant pair: HIGH by default, REVIEW when HIGH needs 95.
    default = check("Aleksiej Szczerbakow", "Aleksei Shcherbakov")
    strict = check(
        "Aleksiej Szczerbakow", "Aleksei Shcherbakov", config=MatchConfig(person_high=95.0)
    )
    assert default and default.grade is Grade.HIGH and default.score == pytest.approx(94.7)
    assert strict and strict.grade is Grade.REVIEW and strict.reason == "name_close"


def test_organisations_need_a_higher_score_than_people():
    hit = check("Nowak Developer sp. z o.o.", "Nowak Deweloper S.A.")
    # "developer" against "deweloper" with fold_pl(w→v): identical; a true typo is not.
    assert hit and hit.grade is Grade.HIGH
    typo = check("Nowax Deweloper sp. z o.o.", "Nowak Deweloper S.A.")
    assert typo and typo.grade is Grade.REVIEW and typo.reason == "org_name_close"


def test_prospect_who_is_the_other_side_stays_high_and_says_so():
    hit = check("Jan Nowak", "Jan Nowak", query_role="CLIENT", entry_role="ADVERSE")
    assert hit and hit.grade is Grade.HIGH
    assert [str(r) for r in hit.reasons] == [
        "name_full: jan nowak ~ jan nowak",
        "role_conflict: ADVERSE ~ CLIENT",
    ]


def test_a_relative_of_the_adverse_party_is_raised_to_review():
    plain = check("Anna Wiśniewska", "Tomasz Wiśniewski")
    raised = check(
        "Anna Wiśniewska", "Tomasz Wiśniewski", query_role="CLIENT", entry_role="ADVERSE"
    )
    assert plain and plain.grade is Grade.INFO
    assert raised and raised.grade is Grade.REVIEW
    assert raised.reasons[-1].code is ReasonCode.ROLE_CONFLICT


def test_naming_our_client_as_the_opponent_is_high():
    hit = check("Tomasz Wiśniewski", "Tomasz Wiśniewski", query_role="ADVERSE", entry_role="CLIENT")
    assert hit and hit.grade is Grade.HIGH and hit.reasons[-1].code is ReasonCode.ROLE_CONFLICT


def test_the_same_opponent_in_another_matter_is_review_not_a_block():
    hit = check(
        "Tomasz Wiśniewski", "Tomasz Wiśniewski", query_role="ADVERSE", entry_role="ADVERSE"
    )
    assert hit and hit.grade is Grade.REVIEW
    assert str(hit.reasons[-1]) == "adverse_party: ADVERSE ~ ADVERSE"


def test_other_roles_change_nothing():
    hit = check("Tomasz Wiśniewski", "Tomasz Wiśniewski", query_role="CLIENT", entry_role="WITNESS")
    assert hit and hit.grade is Grade.HIGH and len(hit.reasons) == 1


def test_differing_patronymics_lower_a_name_match():
    hit = check("Иванов Иван Петрович", "Иванов Иван Сергеевич")
    assert hit and hit.grade is Grade.REVIEW
    assert str(hit.reasons[-1]) == "patronymic_differs: petrovich ~ sergeevich"
    same = check("Иванов Иван Петрович", "Ivan Petrovich Ivanov")
    assert same and same.grade is Grade.HIGH


def test_an_organisation_entered_as_such_keeps_its_capitals_form():
    q = Query(build_entry_keys("Orlen S.A."))
    c = Candidate(1, build_entry_keys("ORLEN SA", kind=NameKind.ORGANISATION))
    hit = score(q, c)
    assert hit and hit.grade is Grade.HIGH and hit.reason == "org_name"


def test_a_query_without_a_name_still_matches_by_identifier():
    hit = check(
        "",
        "Jan Nowak",
        query_ids={"emails": ["jan@nowak.pl"]},
        entry_ids={"emails": ["jan@nowak.pl"]},
    )
    assert hit and hit.grade is Grade.HIGH and hit.reason == "email_exact"
    assert check("", "Jan Nowak") is None


def test_reason_codes_are_stable_and_documented():
    # The staff page translates these codes; renaming one breaks stored reports.
    assert sorted(code.value for code in ReasonCode) == sorted(
        [
            "email_exact",
            "phone_exact",
            "tax_id_exact",
            "dob_surname",
            "name_full",
            "org_name",
            "name_close",
            "org_name_close",
            "surname_family",
            "name_subset",
            "name_initial",
            "surname_only",
            "org_token_overlap",
            "role_conflict",
            "adverse_party",
            "patronymic_differs",
        ]
    )
    assert set(REASON_DESCRIPTIONS) == set(ReasonCode)
    assert all(re.fullmatch(r"[a-z_]+", code.value) for code in ReasonCode)
