"""The templates' API (/api/v1/setup/templates/): admins list, read, dry-run and apply;
nobody else."""

import shutil

import pytest
import yaml

from crm.sales.models import PipelineStage
from integration.setup import industry

pytestmark = pytest.mark.django_db
URL = "/api/v1/setup/templates/"


@pytest.fixture
def admin_api(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    return api_client


def test_admins_list_the_templates(admin_api):
    response = admin_api.get(URL)
    assert response.status_code == 200
    assert [(t["key"], t["name"], t["valid"]) for t in response.json()] == [
        ("trade", "商贸", True),
        ("manufacturing", "制造", True),
        ("retail", "零售", True),
    ]
    assert all(t["description"] for t in response.json())


def test_admins_read_a_templates_content(admin_api):
    body = admin_api.get(f"{URL}retail/").json()
    assert body["key"] == "retail" and body["errors"] == []
    assert body["content"]["customers"] == [{"code": "WALKIN", "name": "散客", "kind": "person"}]


def test_a_dry_run_answers_what_applying_would_add_and_writes_nothing(admin_api):
    stages = PipelineStage.objects.count()
    response = admin_api.post(f"{URL}trade/dry-run/")
    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True
    assert {"kind": "pipeline_stage", "name": "寄样试用", "detail": "40%"}.items() <= next(
        c for c in body["changes"] if c["name"] == "寄样试用"
    ).items()
    assert PipelineStage.objects.count() == stages


def test_applying_answers_what_was_added_and_nothing_the_second_time(admin_api):
    dry = admin_api.post(f"{URL}trade/dry-run/").json()["changes"]
    applied = admin_api.post(f"{URL}trade/apply/").json()
    assert applied["dry_run"] is False and applied["changes"] == dry
    assert admin_api.post(f"{URL}trade/apply/").json()["changes"] == []
    assert PipelineStage.objects.filter(name="签订合同").exists()


@pytest.mark.parametrize("role", ["manager", "sales"])
def test_other_roles_are_refused(api_client, user_with_role, role):
    api_client.force_authenticate(user_with_role(role))
    assert api_client.get(URL).status_code == 403
    assert api_client.get(f"{URL}trade/").status_code == 403
    assert api_client.post(f"{URL}trade/dry-run/").status_code == 403
    assert api_client.post(f"{URL}trade/apply/").status_code == 403
    assert not PipelineStage.objects.filter(name="签订合同").exists()


def test_an_unknown_template_is_not_found(admin_api):
    assert admin_api.get(f"{URL}wholesale/").status_code == 404
    assert admin_api.post(f"{URL}wholesale/apply/").status_code == 404


def test_a_template_failing_its_schema_says_why_and_is_not_applied(admin_api, tmp_path, monkeypatch):
    for path in industry.TEMPLATE_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    data = yaml.safe_load((tmp_path / "retail.yaml").read_text(encoding="utf-8"))
    data["pipeline_stages"][2]["probability"] = 120
    (tmp_path / "retail.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(industry, "TEMPLATE_DIR", tmp_path)
    expected = "retail.yaml: pipeline_stages[2].probability: 120 is greater than the maximum of 100"

    listed = {t["key"]: t for t in admin_api.get(URL).json()}
    assert listed["retail"]["valid"] is False and expected in listed["retail"]["errors"]
    detail = admin_api.get(f"{URL}retail/").json()
    assert detail["content"] is None and expected in detail["errors"]
    response = admin_api.post(f"{URL}retail/apply/")
    assert response.status_code == 400
    assert expected in response.json()["template"]
    assert not PipelineStage.objects.filter(name="团购咨询").exists()
