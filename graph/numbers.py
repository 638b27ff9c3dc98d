"""Numbers the data store can hold: DynamoDB's number type has up to 38 significant
digits and a magnitude from 1E-130 to under 1E+126. Inputs are checked against these
limits before any I/O (the Decimal scalar, filters, custom field values)."""

from __future__ import annotations

import decimal

MAX_DIGITS = 38
MIN_ADJUSTED_EXPONENT = -130
MAX_ADJUSTED_EXPONENT = 125
_WIDE = decimal.Context(prec=1000, Emin=-999999, Emax=999999)


def representable(number: decimal.Decimal) -> bool:
    """Can DynamoDB store this number exactly?"""
    if not number.is_finite():
        return False
    if number.is_zero():
        return True
    # Trailing zeros need no precision (1E+100 has one significant digit).
    significant = _WIDE.normalize(number).as_tuple().digits
    return (
        len(significant) <= MAX_DIGITS
        and MIN_ADJUSTED_EXPONENT <= number.adjusted() <= MAX_ADJUSTED_EXPONENT
    )
