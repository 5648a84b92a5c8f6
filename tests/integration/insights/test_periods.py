"""The dashboard's period picker: month, quarter, year, custom, and the period compared."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from integration.insights.periods import Period, period_from_params, team_from_params

TODAY = date(2026, 11, 15)


def test_default_is_the_month_to_date_against_the_same_days_of_the_month_before():
    period, previous = period_from_params({}, today=TODAY)
    assert (period.start, period.end) == (date(2026, 11, 1), TODAY)
    assert (previous.start, previous.end) == (date(2026, 10, 1), date(2026, 10, 15))


def test_a_whole_past_month_is_compared_with_the_whole_month_before():
    period, previous = period_from_params({"period": "month", "at": "2026-03"}, today=TODAY)
    assert (period.start, period.end, period.label) == (date(2026, 3, 1), date(2026, 3, 31), "2026-03")
    assert (previous.start, previous.end) == (date(2026, 2, 1), date(2026, 2, 28))


def test_a_quarter_is_compared_with_the_quarter_before():
    period, previous = period_from_params({"period": "quarter", "at": "2026-Q1"}, today=TODAY)
    assert (period.start, period.end, period.label) == (date(2026, 1, 1), date(2026, 3, 31), "2026-Q1")
    assert (previous.start, previous.end, previous.label) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
        "2025-Q4",
    )


def test_a_year_is_compared_with_the_year_before():
    period, previous = period_from_params({"period": "year", "at": "2025"}, today=TODAY)
    assert (period.label, previous.start, previous.end) == ("2025", date(2024, 1, 1), date(2024, 12, 31))


def test_the_year_to_date_in_january_is_compared_with_the_same_days_a_year_before():
    period, previous = period_from_params({"period": "year"}, today=date(2026, 1, 10))
    assert (previous.start, previous.end) == (date(2025, 1, 1), date(2025, 1, 10))


def test_a_custom_range_is_compared_with_as_many_days_before_it():
    period, previous = period_from_params(
        {"period": "custom", "start": "2026-03-10", "end": "2026-03-19"}, today=TODAY
    )
    assert period.days == 10
    assert (previous.start, previous.end) == (date(2026, 2, 28), date(2026, 3, 9))


def test_an_inverted_range_is_an_error_on_the_end():
    with pytest.raises(ValidationError) as error:
        period_from_params({"period": "custom", "start": "2026-03-19", "end": "2026-03-10"}, today=TODAY)
    assert "end" in error.value.message_dict


def test_a_date_that_does_not_exist_is_an_error_on_its_field():
    with pytest.raises(ValidationError) as error:
        period_from_params({"period": "custom", "start": "2026-02-31", "end": "2026-03-10"}, today=TODAY)
    assert "start" in error.value.message_dict


def test_a_range_over_three_years_is_refused():
    with pytest.raises(ValidationError) as error:
        period_from_params({"period": "custom", "start": "2020-01-01", "end": "2026-01-01"}, today=TODAY)
    assert "end" in error.value.message_dict


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "week"}, "period"),
        ({"period": "month", "at": "2026-13"}, "at"),
        ({"period": "quarter", "at": "2026-Q5"}, "at"),
        ({"period": "year", "at": "²⁰²⁶"}, "at"),
        ({"period": "month", "at": "2027-01"}, "at"),
        ({"period": "custom", "start": "2026-01-01"}, "end"),
    ],
)
def test_bad_period_input_names_the_field(params, field):
    with pytest.raises(ValidationError) as error:
        period_from_params(params, today=TODAY)
    assert field in error.value.message_dict


def test_periods_compare_by_their_days_only():
    assert Period(date(2026, 3, 1), date(2026, 3, 31), "month") == Period(date(2026, 3, 1), date(2026, 3, 31))


@pytest.mark.django_db
def test_an_unknown_team_is_an_error_on_team(manager_user):
    with pytest.raises(ValidationError) as error:
        team_from_params({"team": "999999"}, user=manager_user)
    assert "team" in error.value.message_dict
    with pytest.raises(ValidationError):
        team_from_params({"team": "²"}, user=manager_user)
    assert team_from_params({"team": ""}, user=manager_user) is None
