# Every test here runs both ways of confirming an order on PostgreSQL (tests/confirm_ways.py).
from tests.confirm_ways import confirm_in_one_statement, pytest_generate_tests  # noqa: F401
