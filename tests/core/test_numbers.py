"""Document numbers: one counter per prefix and year, drawn in one statement (a sequence on
PostgreSQL, a row elsewhere); never the same number twice, even for callers at the same moment."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from core.numbers import document_number, number_at_least, number_next

pytestmark = pytest.mark.django_db


def test_each_prefix_and_year_counts_on_its_own():
    first = number_next(prefix="ZA", year=2026)
    assert number_next(prefix="ZA", year=2026) == first + 1
    other_year = number_next(prefix="ZA", year=2027)
    other_prefix = number_next(prefix="ZB", year=2026)
    assert number_next(prefix="ZA", year=2026) == first + 2
    assert number_next(prefix="ZA", year=2027) == other_year + 1
    assert number_next(prefix="ZB", year=2026) == other_prefix + 1


def test_a_document_number_carries_prefix_year_and_padded_counter():
    number_at_least(prefix="ZC", year=2026, value=41)
    assert document_number(prefix="ZC", when=date(2026, 5, 1)) == "ZC-2026-000042"
    assert document_number(prefix="ZC", when=date(2026, 5, 1), digits=5) == "ZC-2026-00043"


def test_a_number_past_its_width_is_not_cut():
    number_at_least(prefix="ZD", year=2026, value=1_234_566)
    assert document_number(prefix="ZD", when=date(2026, 3, 1)) == "ZD-2026-1234567"


def test_a_counter_is_moved_on_but_never_back():
    number_at_least(prefix="ZE", year=2026, value=10)
    number_at_least(prefix="ZE", year=2026, value=3)
    assert number_next(prefix="ZE", year=2026) == 11


@pytest.mark.parametrize("prefix, year", [("so", 2026), ("S-O", 2026), ("SO'; --", 2026), ("SO", 0)])
def test_only_capital_prefixes_and_real_years_name_a_counter(prefix, year):
    with pytest.raises(ValueError):
        number_next(prefix=prefix, year=year)


def _together(func, n):
    barrier, results, errors = threading.Barrier(n), [], []

    def worker():
        try:
            barrier.wait()
            results.extend(func())
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_get_the_same_number():
    with connection.cursor() as cursor:  # every caller races to make the counter, too
        cursor.execute("DROP SEQUENCE IF EXISTS number_zf_2026")

    def draw():
        kept = []
        for i in range(20):
            try:
                with transaction.atomic():
                    number = number_next(prefix="ZF", year=2026)
                    if i % 4 == 0:
                        raise RuntimeError("rolled back: the number is not used")
                kept.append(number)
            except RuntimeError:
                pass
        return kept

    kept = _together(draw, 8)
    assert len(kept) == 120 and len(set(kept)) == 120


# --- the company's number formats (an industry template's ``number_formats``) -----------------


def _formats(value: dict) -> None:
    from core.preferences import preference_set

    preference_set(key="number_formats", value=value)


def test_a_number_format_gives_new_numbers_its_prefix_and_width():
    _formats({"ZG": {"prefix": "XS", "digits": 4}})
    assert document_number(prefix="ZG", when=date(2026, 5, 1)) == "XS-2026-0001"
    assert document_number(prefix="ZG", when=date(2026, 5, 1)) == "XS-2026-0002"


def test_without_a_number_format_numbers_keep_the_codes_prefix_and_width():
    _formats({"ZK": {"prefix": "XS", "digits": 4}})
    assert document_number(prefix="ZJ", when=date(2026, 5, 1), digits=5) == "ZJ-2026-00001"


def test_the_codes_own_counter_is_left_as_it_was_for_when_the_format_goes():
    number_at_least(prefix="ZH", year=2026, value=41)
    _formats({"ZH": {"prefix": "YH", "digits": 6}})
    assert document_number(prefix="ZH", when=date(2026, 5, 1)) == "YH-2026-000001"
    _formats({})
    assert document_number(prefix="ZH", when=date(2026, 5, 1)) == "ZH-2026-000042"


def test_two_document_types_given_one_prefix_share_its_counter():
    _formats({"ZL": {"prefix": "DJ", "digits": 3}, "ZM": {"prefix": "DJ", "digits": 3}})
    drawn = [document_number(prefix=p, when=date(2026, 5, 1)) for p in ("ZL", "ZM", "ZL")]
    assert drawn == ["DJ-2026-001", "DJ-2026-002", "DJ-2026-003"]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"prefix": "xs", "digits": 4}, ("ZN", 4)),
        ({"prefix": "XS", "digits": 40}, ("XS", 6)),
        ({"prefix": "XS", "digits": True}, ("XS", 6)),
        ("XS", ("ZN", 6)),
    ],
)
def test_a_malformed_number_format_is_passed_over_part_by_part(entry, expected):
    from core.numbers import number_style

    _formats({"ZN": entry})
    assert number_style(prefix="ZN", digits=6) == expected


def test_the_number_formats_are_read_once_not_for_every_number(django_assert_num_queries):
    from core.numbers import number_style

    _formats({"SO": {"prefix": "XS", "digits": 6}})
    with django_assert_num_queries(1):
        number_style(prefix="SO")
    with django_assert_num_queries(0):
        assert number_style(prefix="SO") == ("XS", 6)
