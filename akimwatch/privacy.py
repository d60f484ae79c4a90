"""Masking of personal data in published text: phone numbers, IIN/BIN, payment card numbers, e-mails.

Anonymous visitors of the web app and public reports see masked text; signed-in staff see the original.
Phone numbers are found by Google's libphonenumber (``phonenumbers``), which knows every Kazakh and Russian
numbering plan and every way people write them (``701 123 45 67``, ``+7.701.123.45.67``, en-dashes, 4-digit
city codes); a number must be valid for its plan, so dates, sums, years and post ids are left alone.
IIN/BIN are recognised by their check digit (or, for an IIN, its birth-date structure, since a mistyped IIN
still discloses a birth date); card numbers by the Luhn check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import phonenumbers

MASK_EMAIL = "[e-mail]"
MASK_IIN = "[ИИН]"
MASK_PHONE = "[телефон]"
MASK_CARD = "[карта]"
REGION = "KZ"  # numbers without a country code are read as Kazakh (country code 7, shared with Russia)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_SEP = r"[ \u00a0\u2009\u202f\-\u2010-\u2015]"
_NOT_AFTER = rf"(?<!\d)(?<!\d{_SEP})"  # a group written apart is not the tail of a longer digit group
_NOT_BEFORE = rf"(?!{_SEP}?\d)"  # ... nor the head of one
# Cards: 13-19 digits in one run, or written in groups of four (Amex: 4-6-5).
_CARD = re.compile(rf"(?<!\d)\d{{13,19}}(?!\d)|{_NOT_AFTER}(?:\d{{4}}(?:{_SEP}\d{{4}}){{2,3}}(?:{_SEP}?\d{{1,3}})?"
                   rf"|\d{{4}}{_SEP}\d{{6}}{_SEP}\d{{5}}){_NOT_BEFORE}")
# IIN/BIN: 12 digits in one run, or as 4-4-4 / 6-6 groups.
_IIN = re.compile(rf"(?<!\d)\d{{12}}(?!\d)|{_NOT_AFTER}(?:\d{{4}}{_SEP}\d{{4}}{_SEP}\d{{4}}|\d{{6}}{_SEP}\d{{6}}){_NOT_BEFORE}")
# Local city numbers without a code, as people write them: 222-33-44 (dash or en-dash).
_LOCAL_PHONE = re.compile(r"(?<![\d\-\u2013])\d{3}[\-\u2013]\d{2}[\-\u2013]\d{2}(?![\d\-\u2013])")
_DIGIT = re.compile(r"\d")
_IIN_WEIGHTS = ((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))


def iin_check_digit(first11: str) -> int | None:
    """The 12th digit of an IIN/BIN for its first 11 digits (None: no valid number has this prefix)."""
    for weights in _IIN_WEIGHTS:
        rest = sum(int(d) * w for d, w in zip(first11, weights, strict=True)) % 11
        if rest != 10:
            return rest
    return None


def is_iin_or_bin(digits: str) -> bool:
    """12 digits with a valid check digit, or shaped like an IIN (birth date YYMMDD + century/sex digit)."""
    if len(digits) != 12 or not digits.isascii() or not digits.isdigit() or len(set(digits)) == 1:
        return False
    if iin_check_digit(digits[:11]) == int(digits[11]):
        return True
    if digits[6] not in "123456":
        return False
    century = 1800 + 100 * ((int(digits[6]) - 1) // 2)
    try:
        date(century + int(digits[:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return False
    return True


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _only_digits(s: str) -> str:
    return "".join(_DIGIT.findall(s))


def _mask_cards(text: str) -> str:
    def repl(m: re.Match) -> str:
        digits = _only_digits(m.group())
        return MASK_CARD if 13 <= len(digits) <= 19 and luhn_ok(digits) and len(set(digits)) > 1 else m.group()

    return _CARD.sub(repl, text)


def _mask_iins(text: str) -> str:
    return _IIN.sub(lambda m: MASK_IIN if is_iin_or_bin(_only_digits(m.group())) else m.group(), text)


def _mask_phones(text: str) -> str:
    if len(_DIGIT.findall(text)) < 7:
        return text
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, REGION,
                                                                      leniency=phonenumbers.Leniency.VALID)]
    for start, end in reversed(spans):
        text = text[:start] + MASK_PHONE + text[end:]
    return _LOCAL_PHONE.sub(MASK_PHONE, text)


def mask_personal_data(text: str | None) -> str:
    """Replace e-mails, card numbers, IIN/BIN and phone numbers with neutral placeholders."""
    if not text:
        return text or ""
    if not isinstance(text, str):
        text = str(text)
    out = _EMAIL.sub(MASK_EMAIL, text) if "@" in text else text
    if _DIGIT.search(out) is None:
        return out
    return _mask_phones(_mask_iins(_mask_cards(out)))


def mask_fields(item: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Mask the given free-text fields of one record in place (absent or empty fields are left alone)."""
    for f in fields:
        value = item.get(f)
        if isinstance(value, str) and value:
            item[f] = mask_personal_data(value)
    return item
