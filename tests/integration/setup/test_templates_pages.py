"""The templates' pages (/setup/templates/): the cards, a template's dry run and its
application, for admins only; a file that fails its checks shows why, never a 500."""

import shutil

import pytest
import yaml
from django.test import Client
from django.urls import reverse

from crm.sales.models import PipelineStage
from integration.setup import industry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def broken_retail(tmp_path, monkeypatch):
    for path in industry.TEMPLATE_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    data = yaml.safe_load((tmp_path / "retail.yaml").read_text(encoding="utf-8"))
    data["pipeline_stages"][2]["probability"] = 120
    (tmp_path / "retail.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(industry, "TEMPLATE_DIR", tmp_path)
    return "retail.yaml: pipeline_stages[2].probability: 120 is greater than the maximum of 100"


def test_the_list_shows_a_card_per_template(admin_client):
    html = admin_client.get(reverse("setup:templates")).content.decode()
    for key, name in (("trade", "商贸"), ("manufacturing", "制造"), ("retail", "零售")):
        assert f'data-template="{key}"' in html and name in html
        assert reverse("setup:template_detail", kwargs={"key": key}) in html


def test_a_template_page_shows_its_dry_run_and_writes_nothing(admin_client):
    stages = PipelineStage.objects.count()
    response = admin_client.get(reverse("setup:template_detail", kwargs={"key": "trade"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="dry-run-changes"' in html and "寄样试用" in html and "北京仓" in html
    assert 'data-testid="apply-template"' in html
    assert PipelineStage.objects.count() == stages


def test_apply_adds_and_lists_what_was_added(admin_client):
    url = reverse("setup:template_detail", kwargs={"key": "trade"})
    html = admin_client.post(url).content.decode()
    assert 'data-testid="applied-changes"' in html and "签订合同" in html
    assert PipelineStage.objects.filter(name="签订合同").exists()
    again = admin_client.get(url).content.decode()
    assert 'data-testid="apply-template"' not in again and 'data-testid="dry-run-changes"' not in again
    listed = admin_client.get(reverse("setup:templates")).content.decode()
    assert 'data-testid="industry-applied"' in listed


def test_a_template_failing_its_schema_shows_its_errors_on_both_pages(admin_client, broken_retail):
    listed = admin_client.get(reverse("setup:templates"))
    assert listed.status_code == 200 and broken_retail in listed.content.decode()
    detail = admin_client.get(reverse("setup:template_detail", kwargs={"key": "retail"}))
    html = detail.content.decode()
    assert detail.status_code == 200 and broken_retail in html
    assert 'data-testid="apply-template"' not in html
    assert admin_client.post(reverse("setup:template_detail", kwargs={"key": "retail"})).status_code == 200
    assert not PipelineStage.objects.filter(name="团购咨询").exists()


def test_an_unknown_template_page_is_not_found(admin_client):
    assert admin_client.get(reverse("setup:template_detail", kwargs={"key": "wholesale"})).status_code == 404


@pytest.mark.parametrize("role", ["manager", "sales"])
def test_only_admins_reach_the_pages(client, user_with_role, role):
    client.force_login(user_with_role(role))
    assert client.get(reverse("setup:templates")).status_code == 403
    assert client.post(reverse("setup:template_detail", kwargs={"key": "trade"})).status_code == 403
    assert not PipelineStage.objects.filter(name="签订合同").exists()


def test_admins_find_the_templates_in_the_menu(admin_user):
    from core.navigation import items_for

    assert "setup.templates" in [i["key"] for i in items_for(admin_user)]
