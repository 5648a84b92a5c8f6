"""The suppliers picker (``scm.purchasing.pickers``): suppliers by code, name, pinyin and
initials, active ones unless a list filter asks for all."""

import pytest
from django.urls import reverse

from tests.scm.purchasing.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def _ids(client, q="", **params):
    response = client.get(reverse("supplier-picker"), {"q": q, **params})
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("typed", ["shsh", "shenhua", "申华", "V-SH"])
def test_a_supplier_is_found_by_initials_pinyin_name_and_code(client, purchasing_user, typed):
    shenhua = SupplierFactory(code="V-SH01", name="上海申华贸易有限公司")
    SupplierFactory(code="V-BJ01", name="北京华通物流")
    client.force_login(purchasing_user)
    assert _ids(client, typed) == [shenhua.pk]


def test_inactive_suppliers_are_found_only_for_list_filters(client, finance_user):
    gone = SupplierFactory(name="上海申华贸易", is_active=False)
    client.force_login(finance_user)
    assert _ids(client, "shsh") == []
    assert _ids(client, "shsh", inactive="1") == [gone.pk]
