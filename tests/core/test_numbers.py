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
