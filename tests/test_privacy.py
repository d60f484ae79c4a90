"""The personal-data mask, form by form: every way people write KZ/RU phone numbers, IIN/BIN, cards and
e-mails is masked; dates, sums, years, ids and prices are left alone."""

from __future__ import annotations

import pytest

from akimwatch.privacy import (
    MASK_CARD,
    MASK_EMAIL,
    MASK_IIN,
    MASK_PHONE,
    is_iin_or_bin,
    luhn_ok,
    mask_fields,
    mask_personal_data,
)

# (text, the placeholder that must appear) — each must also lose every digit run of the original number.
POSITIVES = [
    # phones: the forms masked before
    ("Звоните +7 701 123 45 67", MASK_PHONE),
    ("мой номер 87011234567", MASK_PHONE),
    ("тел. 8 (701) 123-45-67 вечером", MASK_PHONE),
    ("городской 8 (727) 222-33-44", MASK_PHONE),
    # phones: the forms the probe found unmasked
    ("пишите на ватсап 701 123 45 67", MASK_PHONE),
    ("номер 7011234567 не отвечает", MASK_PHONE),
    ("+7.701.123.45.67", MASK_PHONE),
    ("звоните +7 701–123–45–67", MASK_PHONE),
    ("8 701—123—45—67", MASK_PHONE),
    ("приёмная +7 (7172) 55-66-77", MASK_PHONE),
    ("8 7172 556677 — дежурная часть", MASK_PHONE),
    ("Астана 8 (7172) 55 66 77", MASK_PHONE),
    ("Караганда +7 7212 41-22-33", MASK_PHONE),
    ("+77011234567", MASK_PHONE),
    ("+7(701)1234567", MASK_PHONE),
    ("7 701 123 45 67", MASK_PHONE),
    ("8-701-123-45-67", MASK_PHONE),
    ("8 777 555 44 33 Айгерим", MASK_PHONE),
    ("+7 747 000 11 22", MASK_PHONE),
    ("тел:87051234567", MASK_PHONE),
    ("Whatsapp: +7 (705) 123 4567", MASK_PHONE),
    ("8\u00a0701\u00a0123\u00a045\u00a067", MASK_PHONE),
    ("+7 701 1234567", MASK_PHONE),
    # Russian numbers
    ("+7 916 123-45-67", MASK_PHONE),
    ("8-916-123-45-67", MASK_PHONE),
    ("89161234567", MASK_PHONE),
    ("+7 (495) 123-45-67 Москва", MASK_PHONE),
    ("8 (812) 555-12-34", MASK_PHONE),
    # local numbers without a code
    ("звоните 222-33-44", MASK_PHONE),
    ("диспетчер 321–45–67", MASK_PHONE),
    # IIN / BIN
    ("ИИН 900101300123", MASK_IIN),
    ("мой ИИН 9001 0130 0123", MASK_IIN),
    ("ИИН 870412450012", MASK_IIN),
    ("ИИН: 8704 1245 0012", MASK_IIN),
    ("ИИН 870412-450012", MASK_IIN),
    ("ИИН 951231500128.", MASK_IIN),
    ("БИН 050340004715", MASK_IIN),
    ("БИН ТОО 990840000250", MASK_IIN),
    ("ИИН 010203500345", MASK_IIN),
    ("ИИН 8807 2140 1783", MASK_IIN),
    # cards (Luhn)
    ("карта 4400 4301 2345 6789 Kaspi", MASK_CARD),
    ("4400430123456789", MASK_CARD),
    ("переведите на 4003-0312-3456-7893", MASK_CARD),
    ("Мир 2200 7012 3456 7896", MASK_CARD),
    ("Amex 3782 822463 10005", MASK_CARD),
    ("5355 1234 5678 9015", MASK_CARD),
    # e-mails
    ("почта aigerim.s@mail.kz", MASK_EMAIL),
    ("пишите на AKIMAT-info@almaty.gov.kz!", MASK_EMAIL),
    ("e-mail: user+tag@gmail.com", MASK_EMAIL),
    ("айгерим@почта.рф", MASK_EMAIL),
]

NEGATIVES = [
    "В 2019 году было 25 постов, дом 12.",
    "Встреча 12.07.2019 в 19:41",
    "Дата: 2019-07-12T19:41:00+05:00",
    "Бюджет 1 200 000 тенге",
    "Бюджет 15 000 000 000 тенге",
    "Сумма 1 500 000,50 ₸",
    "Пост 1234567890 удалён",
    "id 100200300400",
    "номер заказа 123456789012",
    "Площадь 12 345 м², квартира 45, дом 67",
    "ул. Абая 150/230, кв. 12",
    "Период 2019–2023, план 2024-2028",
    "Маршрут № 92, автобус 32А",
    "Цена 4 400 тг",
    "https://instagram.com/p/CxYz123456/",
    "Постановление № 12-34 от 01.02.2023",
    "1111 1111 1111 1111 — не карта (тестовые нули)",
    "Счёт 0000 0000 0000",
    "Температура -25, ветер 12 м/с",
    "Итого: 1234 5678 9012 3456",
    "Рост на 12,5 % за 2023 год",
]


@pytest.mark.parametrize("text, placeholder", POSITIVES)
def test_every_form_is_masked(text, placeholder):
    out = mask_personal_data(text)
    assert placeholder in out, out
    # no run of 4+ digits of the original survives
    import re

    leaked = [run for run in re.findall(r"\d{4,}", re.sub(r"\D", "", text)) if run in re.sub(r"\D", "", out)]
    assert not leaked, out


@pytest.mark.parametrize("text", NEGATIVES)
def test_dates_sums_years_and_ids_are_left_alone(text):
    assert mask_personal_data(text) == text


def test_table_is_large_enough():
    assert len(POSITIVES) + len(NEGATIVES) >= 50


def test_masking_is_idempotent_and_keeps_the_rest():
    text = ("Звоните +7 701 123 45 67 или 8 (727) 222-33-44, 87011234567; ИИН 900101300123; "
            "пишите aigerim.s@mail.kz. В 2019 году 25 постов, дом 12.")
    out = mask_personal_data(text)
    assert out.count(MASK_PHONE) == 3 and MASK_IIN in out and MASK_EMAIL in out
    assert out.endswith("В 2019 году 25 постов, дом 12.")
    assert mask_personal_data(out) == out
    assert mask_personal_data(None) == "" and mask_personal_data("") == ""


def test_checks():
    assert is_iin_or_bin("870412450012") and is_iin_or_bin("990840000250")
    assert not is_iin_or_bin("990840000251")  # BIN shape, wrong check digit
    assert not is_iin_or_bin("100200300400") and not is_iin_or_bin("12345678901")
    assert luhn_ok("4400430123456789") and not luhn_ok("4400430123456788")


def test_mask_fields():
    item = {"text": "8 701 123 45 67", "author_name": "Айгерим 87011234567", "likes": 3, "author_handle": None}
    assert mask_fields(item, ("text", "author_name", "author_handle", "likes")) == {
        "text": MASK_PHONE, "author_name": "Айгерим " + MASK_PHONE, "likes": 3, "author_handle": None}


def test_numbers_side_by_side():
    out = mask_personal_data("карта 4400430123456789 8 701 123 45 67, ИИН 870412450012 87011234567")
    assert out == f"карта {MASK_CARD} {MASK_PHONE}, ИИН {MASK_IIN} {MASK_PHONE}"
