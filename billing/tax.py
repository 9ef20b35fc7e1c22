"""Invoice and credit-note arithmetic over plain values (spec §4): no models, no I/O.

Line maths: ``amount = round(quantity × unit_price)``; a DISCOUNT line's amount counts
negative. A line's *base* is its net when its rate is net-priced and its gross when the
rate is tax-inclusive (``TaxRate.inclusive``).

``PER_RATE_GROUP`` (the default): the tax is computed once per rate group with
ROUND_HALF_UP, on Σ net (net-priced) or from Σ gross as ``gross × r / (100 + r)``
(gross-priced, so the gross people typed stays exactly what the invoice totals), and
then spread over the group's lines for display. The spread rounds the running total
(``round(C_k) − round(C_{k−1})``), so the last line takes the remainder, every line is
within one minor unit of its exact share, and the line taxes add up to the group tax.

``PER_LINE``: each line's tax is rounded on its own; a group's tax is their sum.

Credit notes are computed against what is still creditable on each line; a request for
everything that is left takes the exact remainder, so credits can never exceed the
invoice, per line, per tax group or in total.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from babel.numbers import format_decimal
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from billing.money import (
    babel_locale,
    check_amount,
    format_money,
    minor_unit,
    normalize_currency,
)

HUNDRED = Decimal(100)
ZERO = Decimal(0)
QUANTITY_UNIT = Decimal("0.001")
MAX_QUANTITY_EXCLUSIVE = Decimal(10) ** 7  # DecimalField(max_digits=10, decimal_places=3)


class TaxRounding(StrEnum):
    PER_RATE_GROUP = "per_rate_group"
    PER_LINE = "per_line"


class LineKind(StrEnum):
    FEE = "fee"
    EXPENSE = "expense"
    DISBURSEMENT = "disbursement"
    DISCOUNT = "discount"


class TaxCategory(StrEnum):
    STANDARD = "standard"  # a numeric rate, 0 % included
    EXEMPT = "exempt"  # "ZW"
    NOT_SUBJECT = "not_subject"  # "NP"
    REVERSE_CHARGE = "reverse_charge"  # "RC": the buyer accounts for the tax; a note is printed
    NONE = "none"  # a line without a tax rate (EXTERNAL mode, disbursements)


SPECIAL_CODES: dict[str, TaxCategory] = {
    "ZW": TaxCategory.EXEMPT,
    "NP": TaxCategory.NOT_SUBJECT,
    "RC": TaxCategory.REVERSE_CHARGE,
}
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,7}$")


class TaxError(ValueError):
    """Lines or a credit Atrium refuses; ``message`` is translated, ``code`` is stable."""

    def __init__(self, message: str | Promise, *, code: str, line: int | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.line = line


def round_money(value: Decimal, currency: str) -> Decimal:
    return value.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class TaxRate:
    """The snapshot of a ``TaxRate`` row a line uses: its code, percentage and basis."""

    code: str
    rate: Decimal
    inclusive: bool = False

    def __post_init__(self) -> None:
        code = (self.code or "").strip().upper()
        if not _CODE_RE.match(code):
            raise TaxError(_("A tax code is 1 to 8 letters or digits."), code="tax_code")
        if not isinstance(self.rate, Decimal) or not self.rate.is_finite():
            raise TypeError("a tax rate is a finite Decimal")
        if not ZERO <= self.rate < HUNDRED or self.rate != self.rate.quantize(Decimal("0.01")):
            raise TaxError(
                _("A tax rate is a percentage from 0 to 99.99 with at most two decimals."),
                code="tax_rate",
            )
        if code in SPECIAL_CODES and self.rate != 0:
            raise TaxError(
                _("Exempt, not-subject and reverse-charge rates are zero."), code="tax_rate"
            )
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "rate", self.rate.quantize(Decimal("0.01")))

    @property
    def category(self) -> TaxCategory:
        return SPECIAL_CODES.get(self.code, TaxCategory.STANDARD)

    @property
    def gross_priced(self) -> bool:
        """Prices under this rate include the tax (a 0 % rate makes net and gross equal)."""
        return self.inclusive and self.rate > 0


GroupKey = tuple[str, Decimal] | None


def group_key(rate: TaxRate | None) -> GroupKey:
    return None if rate is None else (rate.code, rate.rate)


def category_of(rate: TaxRate | None) -> TaxCategory:
    return TaxCategory.NONE if rate is None else rate.category


def _exact_tax(base: Decimal, rate: TaxRate | None) -> Decimal:
    """The unrounded tax of a base amount: net × r / 100, or gross × r / (100 + r)."""
    if rate is None or rate.rate == 0:
        return ZERO
    with localcontext() as ctx:
        ctx.prec = 50
        if rate.gross_priced:
            return base * rate.rate / (HUNDRED + rate.rate)
        return base * rate.rate / HUNDRED


def _tax_of(base: Decimal, rate: TaxRate | None, currency: str) -> Decimal:
    """The tax of a base amount, ROUND_HALF_UP."""
    return round_money(_exact_tax(base, rate), currency)


def _spread(bases: Sequence[Decimal], rate: TaxRate | None, currency: str) -> list[Decimal]:
    """A group's tax, ``round(exact tax of Σ bases)``, shown per line by rounding the
    running exact tax: ``share_k = round(C_k) − round(C_{k−1})``. The shares add up to the
    group's tax, each is within one minor unit of the line's exact tax, and the last line
    takes the remainder."""
    shares: list[Decimal] = []
    running = ZERO
    previous = ZERO.quantize(minor_unit(currency))
    for base in bases:
        running += base
        current = _tax_of(running, rate, currency)
        shares.append(current - previous)
        previous = current
    return shares


@dataclass(frozen=True, slots=True)
class Line:
    """One invoice line as staff typed it. ``unit_price`` is never negative: a DISCOUNT
    line's amount is subtracted. It is net or gross as its tax rate says."""

    kind: LineKind
    quantity: Decimal
    unit_price: Decimal
    tax_rate: TaxRate | None = None


@dataclass(frozen=True, slots=True)
class LineResult:
    kind: LineKind
    quantity: Decimal
    unit_price: Decimal
    tax_rate: TaxRate | None
    net: Decimal
    tax: Decimal
    gross: Decimal

    @property
    def base(self) -> Decimal:
        return self.gross if self.tax_rate is not None and self.tax_rate.gross_priced else self.net


@dataclass(frozen=True, slots=True)
class TaxGroup:
    """One row of the tax summary: every line of one rate (or of no rate)."""

    tax_rate: TaxRate | None
    net: Decimal
    tax: Decimal
    gross: Decimal
    lines: tuple[int, ...]

    @property
    def category(self) -> TaxCategory:
        return category_of(self.tax_rate)


@dataclass(frozen=True, slots=True)
class InvoiceTotals:
    currency: str
    rounding: TaxRounding
    lines: tuple[LineResult, ...]
    groups: tuple[TaxGroup, ...]
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal

    @property
    def reverse_charge(self) -> bool:
        """The document must print the reverse-charge note."""
        return any(g.category is TaxCategory.REVERSE_CHARGE for g in self.groups)


def _check_quantity(quantity: Decimal, index: int) -> Decimal:
    if not isinstance(quantity, Decimal) or not quantity.is_finite():
        raise TypeError("a quantity is a finite Decimal")
    if quantity <= 0:
        raise TaxError(_("The quantity must be more than zero."), code="quantity", line=index)
    if quantity != quantity.quantize(QUANTITY_UNIT) or quantity >= MAX_QUANTITY_EXCLUSIVE:
        raise TaxError(
            _("A quantity has at most three decimals and is below 10 000 000."),
            code="quantity",
            line=index,
        )
    return quantity


def _check_price(price: Decimal, currency: str, index: int) -> Decimal:
    if not isinstance(price, Decimal):
        raise TypeError("a unit price is a Decimal")
    if price < 0:
        raise TaxError(
            _("The unit price cannot be negative; use a discount line instead."),
            code="unit_price",
            line=index,
        )
    try:
        return check_amount(price, currency)
    except ValueError as exc:
        raise TaxError(getattr(exc, "message", str(exc)), code="unit_price", line=index) from None


def _check_price_basis(rates: Iterable[TaxRate | None]) -> None:
    bases = {r.gross_priced for r in rates if r is not None and r.rate > 0}
    if len(bases) > 1:
        raise TaxError(
            _("The prices of one invoice are either all net or all gross."),
            code="mixed_price_basis",
        )


def _group_indexes(rates: Sequence[TaxRate | None]) -> dict[GroupKey, list[int]]:
    groups: dict[GroupKey, list[int]] = {}
    for index, rate in enumerate(rates):
        groups.setdefault(group_key(rate), []).append(index)
    return groups


def _line_amount(line: Line, currency: str, index: int) -> Decimal:
    quantity = _check_quantity(line.quantity, index)
    price = _check_price(line.unit_price, currency, index)
    amount = round_money(quantity * price, currency)
    return -amount if line.kind is LineKind.DISCOUNT else amount


def _split(base: Decimal, tax: Decimal, rate: TaxRate | None) -> tuple[Decimal, Decimal]:
    """(net, gross) of a base amount and its tax."""
    if rate is not None and rate.gross_priced:
        return base - tax, base
    return base, base + tax


def compute_invoice(
    lines: Sequence[Line], *, currency: str, rounding: TaxRounding
) -> InvoiceTotals:
    """Every line's net, tax and gross, the tax summary per rate and the totals
    (``total = subtotal + tax_total = Σ gross``)."""
    currency = normalize_currency(currency)
    rounding = TaxRounding(rounding)
    rates = [line.tax_rate for line in lines]
    _check_price_basis(rates)
    bases = [_line_amount(line, currency, i) for i, line in enumerate(lines)]
    taxes: list[Decimal] = [ZERO] * len(lines)
    groups: list[TaxGroup] = []
    for indexes in _group_indexes(rates).values():
        rate = rates[indexes[0]]
        group_base = sum((bases[i] for i in indexes), ZERO)
        if group_base < 0:
            raise TaxError(
                _("A discount cannot be larger than the lines it reduces."),
                code="discount_too_large",
                line=indexes[-1],
            )
        if rounding is TaxRounding.PER_RATE_GROUP:
            shares = _spread([bases[i] for i in indexes], rate, currency)
        else:
            shares = [_tax_of(bases[i], rate, currency) for i in indexes]
        for i, share in zip(indexes, shares, strict=True):
            taxes[i] = share
        group_tax = sum(shares, ZERO)
        net, gross = _split(group_base, group_tax, rate)
        groups.append(TaxGroup(rate, net, group_tax, gross, tuple(indexes)))
    results = []
    for i, line in enumerate(lines):
        net, gross = _split(bases[i], taxes[i], line.tax_rate)
        results.append(
            LineResult(
                line.kind,
                line.quantity,
                line.unit_price,
                line.tax_rate,
                net,
                taxes[i],
                gross,
            )
        )
    subtotal = sum((r.net for r in results), ZERO)
    tax_total = sum((r.tax for r in results), ZERO)
    total = subtotal + tax_total
    for value in (subtotal, total):
        check_amount(value.quantize(minor_unit(currency)), currency)
    unit = minor_unit(currency)
    return InvoiceTotals(
        currency=currency,
        rounding=rounding,
        lines=tuple(results),
        groups=tuple(groups),
        subtotal=subtotal.quantize(unit),
        tax_total=tax_total.quantize(unit),
        total=total.quantize(unit),
    )


# ---------------------------------------------------------------------------
# Credit notes
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssuedLine:
    """An issued invoice line as stored (``InvoiceLine`` with its snapshots)."""

    kind: LineKind
    quantity: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal
    tax_rate: TaxRate | None

    @classmethod
    def from_result(cls, result: LineResult) -> IssuedLine:
        return cls(
            result.kind, result.quantity, result.net, result.tax, result.gross, result.tax_rate
        )

    @property
    def gross_priced(self) -> bool:
        return self.tax_rate is not None and self.tax_rate.gross_priced


@dataclass(frozen=True, slots=True)
class CreditedLine:
    """One line of an earlier, issued credit note (``CreditNoteLine``)."""

    line: int  # index of the invoice line it credits
    quantity: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True, slots=True)
class CreditRequest:
    """What staff ask to credit on one line: part of the quantity, an amount (net for a
    net-priced line, gross for a gross-priced one, always positive), or, with neither,
    everything that is left."""

    line: int
    quantity: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Creditable:
    """What is still creditable on one line (or, summed, in one tax group)."""

    quantity: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal

    @property
    def is_empty(self) -> bool:
        return self.net == 0 and self.tax == 0 and self.gross == 0


@dataclass(frozen=True, slots=True)
class CreditableState:
    lines: tuple[Creditable, ...]
    groups: tuple[tuple[TaxRate | None, Creditable], ...]
    gross: Decimal


@dataclass(frozen=True, slots=True)
class CreditLineResult:
    line: int
    quantity: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True, slots=True)
class CreditNoteTotals:
    currency: str
    lines: tuple[CreditLineResult, ...]
    groups: tuple[TaxGroup, ...]
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    remaining: CreditableState = field(repr=False)


def creditable(
    issued: Sequence[IssuedLine], previous: Sequence[CreditedLine], *, currency: str
) -> CreditableState:
    """Per line and per tax group: the issued amounts less every earlier credit."""
    currency = normalize_currency(currency)
    sums = [[ZERO, ZERO, ZERO, ZERO] for _line in issued]
    for credit in previous:
        if not 0 <= credit.line < len(issued):
            raise ValueError(f"credit note line refers to invoice line {credit.line}")
        row = sums[credit.line]
        row[0] += credit.quantity
        row[1] += credit.net
        row[2] += credit.tax
        row[3] += credit.gross
    lines = tuple(
        Creditable(line.quantity - q, line.net - n, line.tax - t, line.gross - g)
        for line, (q, n, t, g) in zip(issued, sums, strict=True)
    )
    groups = []
    for indexes in _group_indexes([line.tax_rate for line in issued]).values():
        groups.append(
            (
                issued[indexes[0]].tax_rate,
                Creditable(
                    sum((lines[i].quantity for i in indexes), ZERO),
                    sum((lines[i].net for i in indexes), ZERO),
                    sum((lines[i].tax for i in indexes), ZERO),
                    sum((lines[i].gross for i in indexes), ZERO),
                ),
            )
        )
    return CreditableState(lines, tuple(groups), sum((c.gross for c in lines), ZERO))


def _base_of(amounts: Creditable | IssuedLine | CreditLineResult, gross_priced: bool) -> Decimal:
    return amounts.gross if gross_priced else amounts.net


def _remaining_tax_after(
    line: IssuedLine,
    left: Creditable,
    base_after: Decimal,
    *,
    currency: str,
    rounding: TaxRounding,
) -> Decimal:
    """The tax left on a line once its base is reduced to ``base_after``."""
    if base_after == 0:
        return ZERO
    if rounding is TaxRounding.PER_LINE:
        after = _tax_of(base_after, line.tax_rate, currency)
    else:
        # Under PER_RATE_GROUP a line's tax is its share of the group's tax, so a partial
        # credit keeps the same share of it; re-rounding the group instead could credit a
        # line a minor unit more than the invoice printed for it.
        left_base = _base_of(left, line.gross_priced)
        with localcontext() as ctx:
            ctx.prec = 50
            after = round_money(left.tax * base_after / left_base, currency)
    low, high = sorted((ZERO, left.tax))
    return min(max(after, low), high)


def compute_credit_note(
    issued: Sequence[IssuedLine],
    *,
    previous: Sequence[CreditedLine],
    requests: Sequence[CreditRequest],
    currency: str,
    rounding: TaxRounding,
) -> CreditNoteTotals:
    """The lines and totals of a new credit note against what is still creditable."""
    currency = normalize_currency(currency)
    rounding = TaxRounding(rounding)
    state = creditable(issued, previous, currency=currency)
    if not requests:
        raise TaxError(_("A credit note needs at least one line."), code="no_lines")
    seen: set[int] = set()
    results: list[CreditLineResult] = []
    for request in requests:
        index = request.line
        if not 0 <= index < len(issued) or index in seen:
            raise TaxError(
                _("Each invoice line can be credited once per credit note."),
                code="line",
                line=index,
            )
        seen.add(index)
        results.append(
            _credit_line(
                issued[index], state.lines[index], request, currency=currency, rounding=rounding
            )
        )
    results.sort(key=lambda r: r.line)
    groups = []
    for indexes in _group_indexes([issued[r.line].tax_rate for r in results]).values():
        rate = issued[results[indexes[0]].line].tax_rate
        left = next(c for r, c in state.groups if group_key(r) == group_key(rate))
        issued_tax = sum(
            (line.tax for line in issued if group_key(line.tax_rate) == group_key(rate)), ZERO
        )
        rows = [results[i] for i in indexes]
        gross_priced = rate is not None and rate.gross_priced
        credited_base = sum((_base_of(r, gross_priced) for r in rows), ZERO)
        if credited_base < 0:
            # Crediting a discount alone would raise what the client owes in this group.
            raise TaxError(
                _("A discount can only be credited together with the lines it reduces."),
                code="discount_alone",
                line=rows[-1].line,
            )
        if _base_of(left, gross_priced) - credited_base < 0:
            raise TaxError(
                _("Credit the discount together with the lines it reduces."),
                code="discount_left_over",
                line=rows[-1].line,
            )
        _keep_group_tax_within(results, indexes, state.lines, left.tax, issued_tax, rate)
        rows = [results[i] for i in indexes]
        net = sum((r.net for r in rows), ZERO)
        tax = sum((r.tax for r in rows), ZERO)
        gross = sum((r.gross for r in rows), ZERO)
        groups.append(TaxGroup(rate, net, tax, gross, tuple(r.line for r in rows)))
    subtotal = sum((r.net for r in results), ZERO)
    tax_total = sum((r.tax for r in results), ZERO)
    if subtotal + tax_total <= 0:
        raise TaxError(_("A credit note must reduce the amount due."), code="not_a_credit")
    after = creditable(
        issued,
        [*previous, *(CreditedLine(r.line, r.quantity, r.net, r.tax, r.gross) for r in results)],
        currency=currency,
    )
    return CreditNoteTotals(
        currency=currency,
        lines=tuple(results),
        groups=tuple(groups),
        subtotal=subtotal,
        tax_total=tax_total,
        total=subtotal + tax_total,
        remaining=after,
    )


def _keep_group_tax_within(
    results: list[CreditLineResult],
    indexes: Sequence[int],
    lines_left: Sequence[Creditable],
    left_tax: Decimal,
    issued_tax: Decimal,
    rate: TaxRate | None,
) -> None:
    """Keep the tax left in a group between nothing and what the invoice charged.

    Each line's credited tax is rounded on its own, so a partial credit in a group that
    also holds a discount can take back a minor unit of tax more (or less) than the group
    has left: a 0.01 tax on the fee and -0.01 on the discount charged 0.00 in all, and
    half the fee would credit 0.01 of it. A credit note may never take back more VAT at
    a rate than the invoice charged at that rate, nor leave tax behind that was never
    charged, so the difference moves between the tax and the net of the partly credited
    lines (a net-priced line keeps the net staff asked for, a gross-priced one its
    gross); a line credited in full keeps its exact remainder. Where that cannot absorb
    it, the discount left behind is the cause and staff are asked to credit it too."""
    credited = sum((results[i].tax for i in indexes), ZERO)
    after = left_tax - credited
    low, high = sorted((ZERO, issued_tax))
    # How much the credited tax must change: negative when too much is taken back.
    delta = after - low if after < low else after - high if after > high else ZERO
    if delta == 0:
        return
    gross_priced = rate is not None and rate.gross_priced

    def within(remaining: Decimal, limit: Decimal) -> bool:
        return min(ZERO, limit) <= remaining <= max(ZERO, limit)

    def amounts(x: CreditLineResult | Creditable) -> tuple[Decimal, Decimal, Decimal]:
        return x.net, x.tax, x.gross

    partial = [i for i in indexes if amounts(results[i]) != amounts(lines_left[results[i].line])]
    for i in sorted(partial, key=lambda i: -abs(results[i].tax)):
        row, left = results[i], lines_left[results[i].line]
        low_t, high_t = sorted((ZERO, left.tax))
        tax = min(max(row.tax + delta, low_t), high_t)
        if tax == row.tax:
            continue
        net, gross = _split(row.gross if gross_priced else row.net, tax, rate)
        if not (within(left.net - net, left.net) and within(left.gross - gross, left.gross)):
            continue
        delta -= tax - row.tax
        results[i] = CreditLineResult(row.line, row.quantity, net, tax, gross)
        if delta == 0:
            return
    raise TaxError(
        _("Credit the discount together with the lines it reduces."),
        code="discount_left_over",
        line=results[indexes[-1]].line,
    )


def credit_remaining(
    issued: Sequence[IssuedLine],
    *,
    previous: Sequence[CreditedLine],
    currency: str,
    rounding: TaxRounding,
) -> CreditNoteTotals:
    """A credit note for everything still creditable (a full correction or write-off)."""
    state = creditable(issued, previous, currency=currency)
    requests = [CreditRequest(i) for i, left in enumerate(state.lines) if not left.is_empty]
    return compute_credit_note(
        issued, previous=previous, requests=requests, currency=currency, rounding=rounding
    )


def _credit_line(
    line: IssuedLine,
    left: Creditable,
    request: CreditRequest,
    *,
    currency: str,
    rounding: TaxRounding,
) -> CreditLineResult:
    index = request.line
    gross_priced = line.gross_priced
    left_base = _base_of(left, gross_priced)
    if left.is_empty:
        raise TaxError(_("This line has nothing left to credit."), code="nothing_left", line=index)
    if request.quantity is not None and request.amount is not None:
        raise TaxError(
            _("Credit either a quantity or an amount, not both."),
            code="quantity_and_amount",
            line=index,
        )
    sign = Decimal(-1) if left_base < 0 else Decimal(1)
    if request.quantity is not None:
        quantity = _check_quantity(request.quantity, index)
        if quantity > left.quantity:
            raise TaxError(
                _("At most %(quantity)s can still be credited on this line.")
                % {"quantity": format_decimal(left.quantity.normalize(), locale=babel_locale())},
                code="quantity_too_large",
                line=index,
            )
        if quantity == left.quantity:
            base, quantity = left_base, left.quantity
        else:
            with localcontext() as ctx:
                ctx.prec = 50
                base = round_money(left_base * quantity / left.quantity, currency)
            if base == left_base:
                # Rounding reached all that is left: nothing may stay without an amount.
                quantity = left.quantity
    elif request.amount is not None:
        amount = _check_price(request.amount, currency, index)
        if amount == 0:
            raise TaxError(_("The amount must be more than zero."), code="zero", line=index)
        if amount > abs(left_base):
            raise TaxError(
                _("At most %(amount)s can still be credited on this line.")
                % {"amount": format_money(abs(left_base), currency)},
                code="amount_too_large",
                line=index,
            )
        full = amount == abs(left_base)
        base = left_base if full else sign * amount
        quantity = left.quantity if full else ZERO
    else:
        base, quantity = left_base, left.quantity
    if base == 0 and left_base != 0:
        raise TaxError(
            _("This part of the line is too small to credit."), code="too_small", line=index
        )
    base_after = left_base - base
    tax = left.tax - _remaining_tax_after(
        line, left, base_after, currency=currency, rounding=rounding
    )
    if base == left_base:
        # Everything that is left, to the minor unit: the last credit takes the remainder.
        return CreditLineResult(index, quantity, left.net, left.tax, left.gross)
    net, gross = _split(base, tax, line.tax_rate)
    return CreditLineResult(index, quantity, net, tax, gross)
