"""The backtest hides the last weeks of the history and scores the forecast and the moving
average against them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integration.planning.backtest import backtest
from tests.integration.fulfilment.factories import three_warehouses
from tests.integration.planning.factories import DemandDayFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_on_a_weekend_heavy_history_the_method_beats_the_moving_average():
    wh = three_warehouses()["GZ"]
    product = ProductFactory()
    today = timezone.localdate()
    for back in range(1, 7 * 30):
        day = today - timedelta(days=back)
        DemandDayFactory(product=product, warehouse=wh, day=day, shipped=30 if day.weekday() >= 5 else 10)
    result = backtest(holdout=28, weeks=26, today=today)
    assert result["series"] == 1
    assert result["method"]["wape"] == pytest.approx(0, abs=1e-6)
    assert result["moving_average"]["wape"] > 0.3


def test_without_history_there_is_nothing_to_score():
    assert backtest(holdout=28, weeks=26) == {"series": 0}
