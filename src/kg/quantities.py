"""Normalisation of stated quantities: 66万 -> 660000, 1.8亿 -> 180000000, 三分之一 -> 0.3333."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MULTIPLIERS = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8, "万亿": 10**12}
DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}
FRACTION_PLACES = Decimal("0.0001")
#: Largest power of ten a quantity reaches, either way (a value has at most 30 digits).
MAX_MAGNITUDE = 30

_ARABIC = re.compile(r"^([+-]?[0-9]+(?:\.[0-9]+)?)\s*(万亿|万|亿|千|百)?\s*([%‰])?$")
_FRACTION = re.compile(r"^([0-9]+)\s*/\s*([0-9]+)$")
_THOUSANDS = re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.|\s|[^0-9,]|$)")


def chinese_integer(text: str) -> int:
    """Value of a Chinese numeral such as 八, 二十三, 一百零五, 二〇二五 (digit by digit)."""
    if not text or any(ch not in DIGITS and ch not in MULTIPLIERS for ch in text):
        raise ValueError(f"{text!r} is not a Chinese numeral")
    if all(ch in DIGITS for ch in text):
        return int("".join(str(DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif MULTIPLIERS[ch] >= 10**4:
            total += (section + digit) * MULTIPLIERS[ch]
            section, digit = 0, 0
        else:
            section += (digit or 1) * MULTIPLIERS[ch]
            digit = 0
    return total + section + digit


def parse_quantity(value: object) -> Decimal | bool:
    """A stated amount as an exact decimal (or a boolean for yes/no indicators).

    Accepts numbers, Arabic numerals with 万/亿/千/百 multipliers, a trailing % or
    ‰ (kept in the unit, so '26.89%' -> 26.89), fractions ('1/3', '三分之一')
    and Chinese numerals ('八'). Raises ValueError on anything else.
    """
    if isinstance(value, bool):
        return value
    if value is None or isinstance(value, list | dict):
        raise ValueError(f"expected a quantity, got {value!r}")
    if isinstance(value, Decimal | float) and not Decimal(value).is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    if (isinstance(value, Decimal | float) and value
            and abs(Decimal(value).adjusted()) > MAX_MAGNITUDE):
        raise ValueError(f"{value!r} is out of range (more than {MAX_MAGNITUDE} digits)")
    if isinstance(value, int | float | Decimal):
        value = format(Decimal(str(value)), "f")
    text = str(value).strip()
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        raise ValueError(f"non-ASCII digits in {text!r} (write ASCII 0-9)")
    if "," in text:
        if not _THOUSANDS.match(text):
            raise ValueError(f"{text!r}: commas only separate thousands (1,234,567)")
        text = text.replace(",", "")
    if match := _ARABIC.match(text):
        number, multiplier, _percent = match.groups()
        try:
            amount = Decimal(number)
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
            raise ValueError(f"{text!r} is not a number") from exc
        result = amount * MULTIPLIERS[multiplier] if multiplier else amount
        return Decimal(int(result)) if result == result.to_integral_value() else result
    if match := _FRACTION.match(text):
        return _fraction(text, Decimal(match[1]), Decimal(match[2]))
    if "分之" in text:
        denominator, numerator = text.split("分之", 1)
        return _fraction(text, Decimal(chinese_integer(numerator)),
                         Decimal(chinese_integer(denominator)))
    try:
        return Decimal(chinese_integer(text))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a quantity (use e.g. 66万, 1.8亿, 4.73, 1/3, 三分之一)"
        ) from None


def _fraction(text: str, numerator: Decimal, denominator: Decimal) -> Decimal:
    if not denominator:
        raise ValueError(f"{text!r} divides by zero")
    return (numerator / denominator).quantize(FRACTION_PLACES)
