from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from billing.tax import (
    CreditedLine,
    CreditRequest,
    IssuedLine,
    Line,
    LineKind,
    TaxCategory,
    TaxError,
    TaxRate,
    TaxRounding,
    compute_credit_note,
    compute_invoice,
    credit_remaining,
    creditable,
)

D = Decimal
VAT23 = TaxRate("23", D("23"))
VAT8 = TaxRate("8", D("8"))
VAT5 = TaxRate("5", D("5"))
EXEMPT = TaxRate("ZW", D("0"))
NOT_SUBJECT = TaxRate("NP", D("0"))
REVERSE = TaxRate("RC", D("0"))
VAT23_GROSS = TaxRate("23", D("23"), inclusive=True)
GROUP, PER_LINE = TaxRounding.PER_RATE_GROUP, TaxRounding.PER_LINE


def fee(quantity: str, price: str, rate: TaxRate | None = VAT23) -> Line:
    return Line(LineKind.FEE, D(quantity), D(price), rate)


def test_three_times_0_333_hours_per_rate_group_rounds_the_group_once() -> None:
    # given three lines of 0.333 h at 1.00 net, 23 %
    lines = [fee("0.333", "1.00")] * 3
    # when
    totals = compute_invoice(lines, currency="PLN", rounding=GROUP)
    # then the group's tax is round(0.99 × 23 %) = round(0.2277) = 0.23 ...
    assert [line.net for line in totals.lines] == [D("0.33")] * 3
    assert totals.groups[0].tax == D("0.23")
    # ... spread over the lines by the running total, the last taking the remainder
    assert [line.tax for line in totals.lines] == [D("0.08"), D("0.07"), D("0.08")]
    assert (totals.subtotal, totals.tax_total, totals.total) == (D("0.99"), D("0.23"), D("1.22"))


def test_three_times_0_333_hours_per_line_rounds_each_line() -> None:
    totals = compute_invoice([fee("0.333", "1.00")] * 3, currency="PLN", rounding=PER_LINE)
    assert [line.tax for line in totals.lines] == [D("0.08")] * 3
    assert (totals.subtotal, totals.tax_total, totals.total) == (D("0.99"), D("0.24"), D("1.23"))


def test_small_lines_show_why_the_method_is_stored() -> None:
    lines = [fee("1", "0.10", VAT5)] * 3  # 0.005 tax per line
    assert compute_invoice(lines, currency="EUR", rounding=PER_LINE).tax_total == D("0.03")
    assert compute_invoice(lines, currency="EUR", rounding=GROUP).tax_total == D("0.02")


def test_mixed_rates_and_exempt_lines() -> None:
    # given a 23 % fee, an 8 % expense, an exempt line and a disbursement without tax
    lines = [
        fee("2.5", "400.00"),
        Line(LineKind.EXPENSE, D("1"), D("123.45"), VAT8),
        Line(LineKind.FEE, D("1"), D("250.00"), EXEMPT),
        Line(LineKind.DISBURSEMENT, D("1"), D("600.00"), None),
    ]
    totals = compute_invoice(lines, currency="PLN", rounding=GROUP)
    by_code = {g.tax_rate.code if g.tax_rate else None: g for g in totals.groups}
    assert by_code["23"].net == D("1000.00") and by_code["23"].tax == D("230.00")
    assert by_code["8"].tax == D("9.88")  # 9.876
    assert by_code["ZW"].tax == D("0.00") and by_code["ZW"].category is TaxCategory.EXEMPT
    assert by_code[None].category is TaxCategory.NONE
    assert totals.subtotal == D("1973.45")
    assert totals.tax_total == D("239.88")
    assert totals.total == D("2213.33") == sum(line.gross for line in totals.lines)
    assert not totals.reverse_charge


def test_reverse_charge_and_not_subject_lines_carry_no_tax_and_flag_the_note() -> None:
    totals = compute_invoice(
        [fee("1", "1000.00", REVERSE), fee("1", "50.00", NOT_SUBJECT)],
        currency="EUR",
        rounding=GROUP,
    )
    assert totals.tax_total == 0
    assert totals.total == D("1050.00")
    assert totals.reverse_charge


def test_discount_lines_reduce_their_rate_group() -> None:
    lines = [fee("1", "1000.00"), Line(LineKind.DISCOUNT, D("1"), D("100.00"), VAT23)]
    totals = compute_invoice(lines, currency="PLN", rounding=GROUP)
    assert [line.net for line in totals.lines] == [D("1000.00"), D("-100.00")]
    assert totals.groups[0].net == D("900.00")
    assert totals.tax_total == D("207.00")
    assert sum(line.tax for line in totals.lines) == D("207.00")
    assert totals.total == D("1107.00")


def test_a_discount_larger_than_its_lines_is_refused() -> None:
    lines = [fee("1", "10.00"), Line(LineKind.DISCOUNT, D("1"), D("10.01"), VAT23)]
    with pytest.raises(TaxError) as caught:
        compute_invoice(lines, currency="PLN", rounding=GROUP)
    assert caught.value.code == "discount_too_large"


def test_an_equal_discount_cancels_the_group_to_zero() -> None:
    lines = [fee("1", "100.00"), Line(LineKind.DISCOUNT, D("1"), D("100.00"), VAT23)]
    totals = compute_invoice(lines, currency="PLN", rounding=GROUP)
    assert totals.total == 0
    assert [line.tax for line in totals.lines] == [D("23.00"), D("-23.00")]


def test_gross_prices_are_converted_back_to_net_and_keep_the_gross_typed() -> None:
    # given 3 × 100.00 gross at 23 %
    lines = [fee("1", "100.00", VAT23_GROSS)] * 3
    for rounding in TaxRounding:
        totals = compute_invoice(lines, currency="PLN", rounding=rounding)
        assert totals.total == D("300.00")
        assert all(line.gross == D("100.00") for line in totals.lines)
    group = compute_invoice(lines, currency="PLN", rounding=GROUP)
    # tax = round(300 × 23 / 123) = round(56.0975...) = 56.10
    assert group.tax_total == D("56.10") and group.subtotal == D("243.90")
    per_line = compute_invoice(lines, currency="PLN", rounding=PER_LINE)
    assert per_line.tax_total == D("56.10")  # 3 × 18.70
    assert [line.net for line in per_line.lines] == [D("81.30")] * 3


def test_net_and_gross_prices_cannot_mix_on_one_invoice() -> None:
    with pytest.raises(TaxError) as caught:
        compute_invoice(
            [fee("1", "10.00"), fee("1", "10.00", VAT23_GROSS)], currency="PLN", rounding=GROUP
        )
    assert caught.value.code == "mixed_price_basis"
    # a 0 % line has no basis to disagree with
    compute_invoice(
        [fee("1", "10.00", VAT23_GROSS), fee("1", "5.00", EXEMPT)], currency="PLN", rounding=GROUP
    )


@pytest.mark.parametrize(
    ("quantity", "price", "code"),
    [
        ("-1", "10.00", "quantity"),
        ("0", "10.00", "quantity"),
        ("1.0001", "10.00", "quantity"),
        ("10000000", "1.00", "quantity"),
        ("1", "-10.00", "unit_price"),
        ("1", "10.001", "unit_price"),
        ("1", "10000000000.00", "unit_price"),
    ],
)
def test_bad_lines_are_refused_with_the_line_named(quantity: str, price: str, code: str) -> None:
    with pytest.raises(TaxError) as caught:
        compute_invoice([fee("1", "1.00"), fee(quantity, price)], currency="PLN", rounding=GROUP)
    assert caught.value.code == code
    assert caught.value.line == 1


def test_tax_rates_are_validated() -> None:
    with pytest.raises(TaxError):
        TaxRate("23", D("123"))
    with pytest.raises(TaxError):
        TaxRate("23", D("23.001"))
    with pytest.raises(TaxError):
        TaxRate("ZW", D("8"))
    with pytest.raises(TaxError):
        TaxRate("<b>", D("8"))
    assert TaxRate("zw", D("0")).category is TaxCategory.EXEMPT


# ---------------------------------------------------------------------------
# Credit notes
# ---------------------------------------------------------------------------


def issue(lines: list[Line], rounding: TaxRounding = GROUP) -> list[IssuedLine]:
    totals = compute_invoice(lines, currency="PLN", rounding=rounding)
    return [IssuedLine.from_result(r) for r in totals.lines]


def as_previous(*notes: object) -> list[CreditedLine]:
    rows = []
    for note in notes:
        for line in note.lines:  # type: ignore[attr-defined]
            rows.append(CreditedLine(line.line, line.quantity, line.net, line.tax, line.gross))
    return rows


def test_a_full_credit_takes_exactly_what_the_invoice_shows() -> None:
    issued = issue([fee("0.333", "1.00")] * 3)
    note = credit_remaining(issued, previous=[], currency="PLN", rounding=GROUP)
    assert note.total == D("1.22") and note.tax_total == D("0.23")
    assert note.remaining.gross == 0
    with pytest.raises(TaxError) as caught:
        credit_remaining(issued, previous=as_previous(note), currency="PLN", rounding=GROUP)
    assert caught.value.code == "no_lines"


def test_crediting_line_by_line_never_exceeds_a_line() -> None:
    issued = issue([fee("0.333", "1.00")] * 3)
    previous: list[CreditedLine] = []
    for index in (2, 0, 1):
        note = compute_credit_note(
            issued,
            previous=previous,
            requests=[CreditRequest(index)],
            currency="PLN",
            rounding=GROUP,
        )
        line = note.lines[0]
        assert (line.net, line.tax, line.gross) == (
            issued[index].net,
            issued[index].tax,
            issued[index].gross,
        )
        previous += as_previous(note)
    assert creditable(issued, previous, currency="PLN").gross == 0


def test_partial_quantity_then_the_rest() -> None:
    issued = issue([fee("3", "100.00")], rounding=PER_LINE)  # 300 + 69 = 369
    first = compute_credit_note(
        issued, previous=[], requests=[CreditRequest(0, D("1"))], currency="PLN", rounding=PER_LINE
    )
    assert (first.subtotal, first.tax_total, first.total) == (D("100.00"), D("23.00"), D("123.00"))
    with pytest.raises(TaxError) as caught:
        compute_credit_note(
            issued,
            previous=as_previous(first),
            requests=[CreditRequest(0, D("2.5"))],
            currency="PLN",
            rounding=PER_LINE,
        )
    assert caught.value.code == "quantity_too_large"
    rest = compute_credit_note(
        issued,
        previous=as_previous(first),
        requests=[CreditRequest(0, D("2"))],
        currency="PLN",
        rounding=PER_LINE,
    )
    assert rest.total == D("246.00")
    assert rest.remaining.lines[0].is_empty


def test_amount_credit_is_capped_by_what_is_left() -> None:
    issued = issue([fee("1", "1000.00"), fee("1", "100.00", VAT8)])
    goodwill = compute_credit_note(
        issued,
        previous=[],
        requests=[CreditRequest(0, amount=D("250.00"))],
        currency="PLN",
        rounding=GROUP,
    )
    assert goodwill.lines[0].quantity == 0  # a price reduction, not returned hours
    assert goodwill.subtotal == D("250.00") and goodwill.tax_total == D("57.50")
    with pytest.raises(TaxError) as caught:
        compute_credit_note(
            issued,
            previous=as_previous(goodwill),
            requests=[CreditRequest(0, amount=D("750.01"))],
            currency="PLN",
            rounding=GROUP,
        )
    assert caught.value.code == "amount_too_large"
    last = compute_credit_note(
        issued,
        previous=as_previous(goodwill),
        requests=[CreditRequest(0, amount=D("750.00"))],
        currency="PLN",
        rounding=GROUP,
    )
    assert last.tax_total == D("172.50")
    assert goodwill.tax_total + last.tax_total == issued[0].tax


def test_credit_note_groups_by_rate() -> None:
    issued = issue([fee("1", "1000.00"), fee("1", "100.00", VAT8), fee("1", "50.00", EXEMPT)])
    note = credit_remaining(issued, previous=[], currency="PLN", rounding=GROUP)
    assert [(g.tax_rate.code if g.tax_rate else None, g.tax) for g in note.groups] == [
        ("23", D("230.00")),
        ("8", D("8.00")),
        ("ZW", D("0.00")),
    ]


def test_a_discount_must_be_credited_with_the_lines_it_reduces() -> None:
    issued = issue([fee("1", "1000.00"), Line(LineKind.DISCOUNT, D("1"), D("100.00"), VAT23)])
    with pytest.raises(TaxError) as caught:
        compute_credit_note(
            issued, previous=[], requests=[CreditRequest(0)], currency="PLN", rounding=GROUP
        )
    assert caught.value.code == "discount_left_over"
    with pytest.raises(TaxError) as caught:
        compute_credit_note(
            issued, previous=[], requests=[CreditRequest(1)], currency="PLN", rounding=GROUP
        )
    assert caught.value.code == "discount_alone"
    both = compute_credit_note(
        issued,
        previous=[],
        requests=[CreditRequest(0), CreditRequest(1)],
        currency="PLN",
        rounding=GROUP,
    )
    assert both.total == D("1107.00")


def test_bad_credit_requests() -> None:
    issued = issue([fee("2", "1.00")])
    cases = [
        ([], "no_lines"),
        ([CreditRequest(0, D("1"), D("1.00"))], "quantity_and_amount"),
        ([CreditRequest(0), CreditRequest(0)], "line"),
        ([CreditRequest(5)], "line"),
        ([CreditRequest(0, D("-1"))], "quantity"),
        ([CreditRequest(0, amount=D("-1.00"))], "unit_price"),
        ([CreditRequest(0, amount=D("0.00"))], "zero"),
        ([CreditRequest(0, D("0.001"))], "too_small"),
    ]
    for requests, code in cases:
        with pytest.raises(TaxError) as caught:
            compute_credit_note(
                issued, previous=[], requests=requests, currency="PLN", rounding=GROUP
            )
        assert caught.value.code == code, requests


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

RATES = [VAT23, VAT8, VAT5, EXEMPT, NOT_SUBJECT, None, TaxRate("0", D("0"))]
GROSS_RATES = [VAT23_GROSS, TaxRate("8", D("8"), inclusive=True), EXEMPT, None]


@st.composite
def invoices(draw: st.DrawFn) -> list[Line]:
    rates = draw(st.sampled_from([RATES, GROSS_RATES]))
    count = draw(st.integers(min_value=1, max_value=12))
    lines = []
    for _ in range(count):
        quantity = D(draw(st.integers(min_value=1, max_value=100_000))) / 1000
        price = D(draw(st.integers(min_value=0, max_value=5_000_000))) / 100
        lines.append(
            Line(
                draw(st.sampled_from([LineKind.FEE, LineKind.EXPENSE])),
                quantity,
                price,
                draw(st.sampled_from(rates)),
            )
        )
    if draw(st.booleans()):
        target = draw(st.sampled_from(lines))
        lines.append(
            Line(
                LineKind.DISCOUNT,
                D(1),
                (target.quantity * target.unit_price / 4).quantize(D("0.01")),
                target.tax_rate,
            )
        )
    return lines


def exact_tax(base: Decimal, rate: TaxRate | None) -> Decimal:
    if rate is None or rate.rate == 0:
        return D(0)
    factor = rate.rate / (100 + rate.rate) if rate.gross_priced else rate.rate / 100
    return (base * factor).quantize(D("0.01"), rounding=ROUND_HALF_UP)


@given(invoices(), st.sampled_from(list(TaxRounding)))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_totals_add_up(lines: list[Line], rounding: TaxRounding) -> None:
    try:
        totals = compute_invoice(lines, currency="PLN", rounding=rounding)
    except TaxError as exc:
        assume(exc.code != "discount_too_large")
        raise
    assert totals.total == totals.subtotal + totals.tax_total
    assert totals.total == sum((line.gross for line in totals.lines), D(0))
    assert totals.subtotal == sum((line.net for line in totals.lines), D(0))
    for line in totals.lines:
        assert line.gross == line.net + line.tax
    for group in totals.groups:
        members = [totals.lines[i] for i in group.lines]
        # line taxes add up to the group tax exactly
        assert group.tax == sum((m.tax for m in members), D(0))
        base = sum((m.base for m in members), D(0))
        if rounding is TaxRounding.PER_RATE_GROUP:
            assert group.tax == exact_tax(base, group.tax_rate)
            # no line's share is more than a minor unit off its exact tax
            rate = group.tax_rate
            for m in members:
                if rate is not None and rate.rate and base:
                    factor = rate.rate / (100 + rate.rate) if rate.gross_priced else rate.rate / 100
                    assert abs(m.tax - m.base * factor) <= D("0.01")
        else:
            assert all(m.tax == exact_tax(m.base, group.tax_rate) for m in members)


@st.composite
def credit_plans(draw: st.DrawFn) -> list[list[tuple[int, str, Decimal]]]:
    steps = draw(st.integers(min_value=1, max_value=5))
    plan = []
    for _ in range(steps):
        plan.append(
            [
                (
                    draw(st.integers(min_value=0, max_value=12)),
                    draw(st.sampled_from(["rest", "quantity", "amount"])),
                    D(draw(st.integers(min_value=1, max_value=1000))) / 1000,
                )
                for _ in range(draw(st.integers(min_value=1, max_value=3)))
            ]
        )
    return plan


@given(invoices(), st.sampled_from(list(TaxRounding)), credit_plans())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_credits_never_exceed_the_invoice(
    lines: list[Line], rounding: TaxRounding, plan: list[list[tuple[int, str, Decimal]]]
) -> None:
    try:
        totals = compute_invoice(lines, currency="PLN", rounding=rounding)
    except TaxError:
        assume(False)
        raise
    issued = [IssuedLine.from_result(r) for r in totals.lines]
    previous: list[CreditedLine] = []
    for step in plan:
        state = creditable(issued, previous, currency="PLN")
        requests, used = [], set()
        for index, how, fraction in step:
            index %= len(issued)
            left = state.lines[index]
            if index in used or left.is_empty:
                continue
            used.add(index)
            base = left.gross if issued[index].gross_priced else left.net
            if how == "quantity" and left.quantity > 0:
                q = max(D("0.001"), (left.quantity * fraction).quantize(D("0.001")))
                requests.append(CreditRequest(index, quantity=min(q, left.quantity)))
            elif how == "amount" and base > 0:
                amount = max(D("0.01"), (base * fraction).quantize(D("0.01")))
                requests.append(CreditRequest(index, amount=min(amount, base)))
            else:
                requests.append(CreditRequest(index))
        if not requests:
            continue
        try:
            note = compute_credit_note(
                issued, previous=previous, requests=requests, currency="PLN", rounding=rounding
            )
        except TaxError as exc:
            # refusals the staff page explains; nothing else may fail
            assert exc.code in {"discount_left_over", "discount_alone", "too_small", "not_a_credit"}
            continue
        assert note.total > 0
        assert note.total == sum((line.gross for line in note.lines), D(0))
        previous += as_previous(note)
        check_within_invoice(issued, previous)
    # whatever happened, the last credit takes exactly the remainder
    state = creditable(issued, previous, currency="PLN")
    if any(left.gross > 0 for _rate, left in state.groups):
        try:
            final = credit_remaining(issued, previous=previous, currency="PLN", rounding=rounding)
        except TaxError as exc:
            # only a discount and what it cancels were left
            assert exc.code in {"discount_alone", "not_a_credit"}
            return
        previous += as_previous(final)
    check_within_invoice(issued, previous)
    done = creditable(issued, previous, currency="PLN")
    # nothing is left to pay in any group (a fee and the discount that cancels it may be)
    assert all(left.gross == 0 and left.tax == 0 for _rate, left in done.groups)


def check_within_invoice(issued: list[IssuedLine], previous: list[CreditedLine]) -> None:
    state = creditable(issued, previous, currency="PLN")
    for line, left in zip(issued, state.lines, strict=True):
        for field_ in ("quantity", "net", "tax", "gross"):
            original, remaining = getattr(line, field_), getattr(left, field_)
            # what is left lies between nothing and what was invoiced (either sign)
            assert min(D(0), original) <= remaining <= max(D(0), original), field_
    for rate, left in state.groups:
        issued_group = [
            line
            for line in issued
            if (line.tax_rate and (line.tax_rate.code, line.tax_rate.rate))
            == (rate and (rate.code, rate.rate))
        ]
        assert D(0) <= left.gross <= sum((line.gross for line in issued_group), D(0))
        assert D(0) <= left.tax <= sum((line.tax for line in issued_group), D(0)) or left.tax == 0


def test_a_partial_credit_never_takes_back_more_tax_than_its_rate_group_was_charged() -> None:
    # given a tiny fee and a discount at 8 %: the line taxes are 0.01 and -0.01, so the
    # invoice charged no tax at all at that rate
    totals = compute_invoice(
        [fee("0.002", "35.00", VAT8), Line(LineKind.DISCOUNT, D("1"), D("0.02"), VAT8)],
        currency="PLN",
        rounding=GROUP,
    )
    assert [line.tax for line in totals.lines] == [D("0.01"), D("-0.01")]
    assert totals.tax_total == 0
    issued = [IssuedLine.from_result(r) for r in totals.lines]

    # when staff credit half of the fee
    note = compute_credit_note(
        issued,
        previous=[],
        requests=[CreditRequest(0, quantity=D("0.001"))],
        currency="PLN",
        rounding=GROUP,
    )

    # then the credit note takes back the net it names and no tax the invoice never charged
    assert [(line.net, line.tax, line.gross) for line in note.lines] == [
        (D("0.04"), D("0.00"), D("0.04"))
    ]
    ((_rate, left),) = note.remaining.groups
    assert (left.net, left.tax, left.gross) == (D("0.01"), D("0.00"), D("0.01"))
    # and the rest is still creditable, to the minor unit
    previous = as_previous(note)
    final = credit_remaining(issued, previous=previous, currency="PLN", rounding=GROUP)
    assert final.total == D("0.01")
    check_within_invoice(issued, previous + as_previous(final))


def test_crediting_a_discount_with_part_of_its_fee_leaves_no_tax_that_was_never_charged() -> None:
    # given gross prices at 8 %: a 0.08 fee (tax 0.01) and a 0.02 discount (tax -0.01)
    rate = TaxRate("8", D("8"), inclusive=True)
    totals = compute_invoice(
        [fee("0.002", "40.00", rate), Line(LineKind.DISCOUNT, D("1"), D("0.02"), rate)],
        currency="PLN",
        rounding=GROUP,
    )
    assert totals.tax_total == 0
    issued = [IssuedLine.from_result(r) for r in totals.lines]

    # when staff credit the whole discount and half of the fee
    note = compute_credit_note(
        issued,
        previous=[],
        requests=[CreditRequest(0, quantity=D("0.001")), CreditRequest(1)],
        currency="PLN",
        rounding=GROUP,
    )

    # then the half of the fee that stays carries no tax, as the invoice charged none
    assert note.total == D("0.02")
    ((_rate, left),) = note.remaining.groups
    assert (left.net, left.tax, left.gross) == (D("0.04"), D("0.00"), D("0.04"))
    check_within_invoice(issued, as_previous(note))
