"""The lead form and the API offer the company's lead sources (an industry template's); a lead's
source may still be any text."""

import pytest
from django.urls import reverse

from core.preferences import preference_set
from crm.sales.models import Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources():
    preference_set(key="lead_sources", value=["展会", "阿里巴巴"])


def test_the_lead_form_offers_the_companys_sources(client, sales_user, sources):
    client.force_login(sales_user)
    html = client.get(reverse("sales:lead_create")).content.decode()
    assert 'list="id_source_offered"' in html and '<option value="阿里巴巴">' in html


def test_a_source_the_company_does_not_offer_is_still_taken(client, sales_user, sources):
    client.force_login(sales_user)
    response = client.post(
        reverse("sales:lead_create"),
        {"name": "刘经理", "phone": "13800000000", "source": "朋友介绍", "status": "new"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Lead.objects.get(name="刘经理").source == "朋友介绍"


def test_the_api_offers_the_companys_sources(api_client, sales_user, sources):
    api_client.force_authenticate(sales_user)
    response = api_client.get("/api/v1/leads/sources/")
    assert response.status_code == 200
    assert response.json() == {"sources": ["展会", "阿里巴巴"]}


def test_without_sources_the_form_offers_none_and_the_api_answers_an_empty_list(
    client, api_client, sales_user
):
    client.force_login(sales_user)
    assert "<datalist" not in client.get(reverse("sales:lead_create")).content.decode()
    api_client.force_authenticate(sales_user)
    assert api_client.get("/api/v1/leads/sources/").json() == {"sources": []}
