"""Masking of personal data in published text (phone numbers, IIN, e-mail addresses).

Anonymous visitors of the web app and public reports see masked text; signed-in staff see the original.
"""

from __future__ import annotations

import re

# E-mail: local@domain.tld
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# IIN/BIN: exactly 12 digits (not part of a longer digit run).
_IIN = re.compile(r"(?<!\d)\d{12}(?!\d)")
# Phone numbers: +7 / 8 followed by 10 digits with optional spaces, dashes, brackets; or 7 bare digits
# grouped like 123-45-67 (city numbers).
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\s?7|8|7)[\s\-()]*\d{3}[\s\-()]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)"
    r"|(?<!\d)\d{3}-\d{2}-\d{2}(?!\d)"
)

MASK_EMAIL = "[e-mail]"
MASK_IIN = "[ИИН]"
MASK_PHONE = "[телефон]"


def mask_personal_data(text: str | None) -> str:
    """Replace e-mails, 12-digit IINs and phone numbers with neutral placeholders."""
    if not text:
        return text or ""
    out = _EMAIL.sub(MASK_EMAIL, text)
    out = _IIN.sub(MASK_IIN, out)
    out = _PHONE.sub(MASK_PHONE, out)
    return out
