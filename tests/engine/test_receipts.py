"""Receipt numbers: readable, unguessable, typo-proof."""

from __future__ import annotations

import datetime as dt

from engine.receipts import ALPHABET, is_valid, new_receipt_number, normalize


def test_shape_starts_with_year_and_month():
    number = new_receipt_number(dt.date(2026, 11, 25))
    assert len(number) == 19 and number.startswith("2611-")
    assert is_valid(number)


def test_numbers_do_not_repeat():
    numbers = {new_receipt_number(dt.date(2026, 11, 25)) for _ in range(20000)}
    assert len(numbers) == 20000


def test_random_part_uses_no_confusable_letters():
    for _ in range(500):
        body = new_receipt_number(dt.date(2026, 1, 1)).replace("-", "")[4:15]
        assert not set(body) & set("ILOU")


def test_every_single_typo_and_swap_is_caught():
    number = new_receipt_number(dt.date(2026, 11, 25))
    compact = number.replace("-", "")
    for i in range(4, 15):
        for symbol in ALPHABET:
            if symbol != compact[i]:
                typo = compact[:i] + symbol + compact[i + 1 :]
                assert normalize(typo) is None, typo
        if i < 14 and compact[i] != compact[i + 1]:
            swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
            assert normalize(swapped) is None, swapped


def test_what_people_type_is_normalised():
    number = new_receipt_number(dt.date(2026, 11, 25))
    typed = " " + number.replace("-", "").lower() + " "
    assert normalize(typed) == number
    assert normalize(number.replace("-", " - ")) == number
    assert normalize("not a number") is None
    assert normalize("") is None


def test_o_and_i_typed_for_zero_and_one_still_find_the_number():
    from engine.receipts import _check_symbol

    body = "01101101101"
    number = f"2611-{body[:4]}-{body[4:8]}-{body[8:]}{_check_symbol(body)}"
    assert normalize(number.replace("0", "O").replace("1", "I")) == number
