"""The database router: with a replica configured, insights' facts and reports read from it,
writes never do; without one, everything is the default database's."""

import pytest
from django.db import connections
from django.test import override_settings

from config.db_router import ReplicaRouter
from core.db import reporting, reporting_db
from crm.sales.models import SalesOrder
from integration.insights.models import OrderFact, SalesDay

router = ReplicaRouter()


@pytest.fixture
def replica(settings):
    databases = {**settings.DATABASES, "replica": {**settings.DATABASES["default"]}}
    with override_settings(DATABASES=databases):
        yield


def test_without_a_replica_everything_reads_the_default_database():
    assert router.db_for_read(OrderFact) is None
    with reporting():
        assert router.db_for_read(SalesOrder) is None
    assert reporting_db() == "default"


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_with_a_replica_the_facts_are_read_from_it(replica):
    assert router.db_for_read(SalesDay) == "replica"
    assert router.db_for_read(OrderFact) == "replica"
    assert router.db_for_read(SalesOrder) is None
    assert reporting_db() == "replica"


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_with_a_replica_a_report_reads_every_model_from_it(replica):
    with reporting():
        assert router.db_for_read(SalesOrder) == "replica"
    assert router.db_for_read(SalesOrder) is None


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_a_transaction_reads_what_it_writes_from_the_default_database(replica, monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)
    assert router.db_for_read(OrderFact) is None
    assert reporting_db() == "default"
    with reporting():
        assert router.db_for_read(SalesOrder) is None


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_writes_and_migrations_never_go_to_the_replica(replica):
    with reporting():
        assert router.db_for_write(OrderFact) == "default"
        assert router.db_for_write(SalesOrder) == "default"
    assert router.allow_migrate("replica", "insights") is False
    assert router.allow_migrate("default", "insights") is True
    assert router.allow_relation(OrderFact(), SalesDay()) is True
