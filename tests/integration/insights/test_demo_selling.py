from datetime import date

import pytest

from integration.insights.demo_selling import _marches


@pytest.mark.parametrize(
    "today, marches",
    [
        (date(2026, 12, 5), [date(2025, 3, 11), date(2026, 3, 8)]),
        (date(2027, 3, 20), [date(2025, 3, 11), date(2026, 3, 8)]),  # this March not over yet
        (date(2027, 4, 1), [date(2025, 3, 14), date(2026, 3, 11), date(2027, 3, 8)]),
    ],
)
def test_the_march_customer_buys_in_the_marches_the_demo_suppliers_priced(today, marches):
    assert _marches(today) == marches
