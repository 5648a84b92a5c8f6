import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.models import AuditLog
from core.search import search_columns
from crm.customers import selectors, services
from crm.customers.models import Customer, MergeSuggestion
from tests.crm.customers.factories import ContactFactory, CustomerFactory, TeamFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_teams(db):
    rep = UserFactory(roles=["sales"], username="rep")
    mate = UserFactory(roles=["sales"], username="mate")
    other = UserFactory(roles=["sales"], username="other")
    east = TeamFactory(name="East", members=[rep, mate])
    south = TeamFactory(name="South", members=[other])
    return {"rep": rep, "mate": mate, "other": other, "east": east, "south": south}


# --- search -------------------------------------------------------------------------------


def test_search_columns_hold_pinyin_and_initials():
    assert search_columns("张三")[:2] == ("zhangsan", "zs")


@pytest.mark.parametrize("query", ["zs", "zhangsan", "张三", "ZS", "zhang"])
def test_pinyin_search_finds_chinese_name(manager_user, query):
    target = CustomerFactory(name="张三")
    CustomerFactory(name="李四")
    found = list(selectors.customer_list(user=manager_user, q=query))
    assert found == [target]


def test_search_by_code_phone_and_email(manager_user):
    c = CustomerFactory(name="Acme", code="ACME01", phone="021-55551234", email="buy@acme.cn")
    CustomerFactory(name="Other")
    for q in ("ACME01", "55551234", "buy@acme.cn", "acme"):
        assert list(selectors.customer_list(user=manager_user, q=q)) == [c], q


def test_renaming_recomputes_search_columns(manager_user):
    c = CustomerFactory(name="张三")
    services.customer_update(customer=c, actor=manager_user, name="王五")
    c.refresh_from_db()
    assert (c.search_pinyin, c.search_initials) == ("wangwu", "ww")


# --- de-duplication and merge -----------------------------------------------------------------


def test_customer_with_same_phone_gets_merge_suggestion(sales_user):
    old = CustomerFactory(phone="13800001111")
    new = services.customer_create(actor=sales_user, name="Someone new", phone="13800001111")
    suggestion = MergeSuggestion.objects.get(customer=new)
    assert suggestion.candidate == old and "phone" in suggestion.reason


def test_normalised_name_matches_without_company_suffix(sales_user):
    old = CustomerFactory(name="上海华通贸易有限公司", phone="", email="")
    new = services.customer_create(actor=sales_user, name="上海华通贸易", phone="", email="")
    assert MergeSuggestion.objects.filter(customer=new, candidate=old, reason__contains="name").exists()


def test_distinct_customer_gets_no_suggestion(sales_user):
    CustomerFactory(name="Alpha")
    new = services.customer_create(actor=sales_user, name="Beta", phone="1", email="b@b.cn")
    assert not MergeSuggestion.objects.filter(customer=new).exists()


def test_merge_moves_every_related_record_and_is_audited(manager_user):
    from tests.crm.sales.factories import OpportunityFactory, TaskFactory

    target = CustomerFactory()
    dup = CustomerFactory()
    ContactFactory(customer=dup)
    OpportunityFactory(customer=dup)
    TaskFactory(customer=dup)
    moved = services.customer_merge(target=target, duplicate=dup, actor=manager_user)
    assert not Customer.objects.filter(pk=dup.pk).exists()
    assert target.contacts.count() == 1
    assert target.opportunities.count() == 1
    assert target.activities.count() == 1
    assert moved["customers.contact"] == 1
    assert AuditLog.objects.filter(action="customer.merged", object_id=str(target.pk)).exists()


def test_credit_limit_change_is_audited(manager_user):
    c = CustomerFactory(credit_limit=Decimal("1000.00"))
    services.customer_update(customer=c, actor=manager_user, credit_limit="2500")
    log = AuditLog.objects.get(action="customer.credit_limit_changed")
    assert log.data == {"old": "1000.00", "new": "2500.00"} and log.actor == manager_user


def test_negative_credit_limit_is_refused_naming_the_field(manager_user):
    c = CustomerFactory()
    with pytest.raises(ValidationError) as exc:
        services.customer_update(customer=c, actor=manager_user, credit_limit="-5")
    assert "credit_limit" in exc.value.message_dict


# --- record rules -------------------------------------------------------------------------


def test_rep_sees_own_and_team_customers_only(two_teams):
    own = CustomerFactory(owner=two_teams["rep"])
    team = CustomerFactory(owner=two_teams["mate"])
    foreign = CustomerFactory(owner=two_teams["other"], team=two_teams["south"])
    visible = set(selectors.customers_visible_to(two_teams["rep"]))
    assert own in visible and team in visible and foreign not in visible


def test_rep_guessing_other_teams_customer_id_gets_404_on_page(client, two_teams):
    foreign = CustomerFactory(owner=two_teams["other"])
    client.force_login(two_teams["rep"])
    assert client.get(reverse("customers:detail", args=[foreign.pk])).status_code == 404


def test_rep_guessing_other_teams_customer_id_gets_404_in_api(api_client, two_teams):
    foreign = CustomerFactory(owner=two_teams["other"])
    api_client.force_authenticate(two_teams["rep"])
    assert api_client.get(f"/api/v1/customers/{foreign.pk}/").status_code == 404
    assert api_client.patch(f"/api/v1/customers/{foreign.pk}/", {"name": "x"}).status_code == 404


def test_rep_reads_but_cannot_edit_teammates_customer(client, api_client, two_teams):
    mate_customer = CustomerFactory(owner=two_teams["mate"])
    client.force_login(two_teams["rep"])
    assert client.get(reverse("customers:detail", args=[mate_customer.pk])).status_code == 200
    assert client.get(reverse("customers:edit", args=[mate_customer.pk])).status_code == 403
    api_client.force_authenticate(two_teams["rep"])
    assert api_client.patch(f"/api/v1/customers/{mate_customer.pk}/", {"name": "x"}).status_code == 403


def test_api_list_applies_record_rules(api_client, two_teams):
    CustomerFactory(owner=two_teams["rep"])
    CustomerFactory(owner=two_teams["other"])
    api_client.force_authenticate(two_teams["rep"])
    data = api_client.get("/api/v1/customers/").json()
    assert data["count"] == 1


def test_manager_sees_every_customer(manager_user, two_teams):
    CustomerFactory(owner=two_teams["rep"])
    CustomerFactory(owner=two_teams["other"])
    assert selectors.customers_visible_to(manager_user).count() == 2


def test_export_follows_record_rules(client, two_teams):
    CustomerFactory(owner=two_teams["rep"], name="Mine")
    CustomerFactory(owner=two_teams["other"], name="Theirs")
    client.force_login(two_teams["rep"])
    body = client.get(reverse("customers:list") + "?export=csv").content.decode("utf-8-sig")
    assert "Mine" in body and "Theirs" not in body


def test_api_create_validation_error_names_field(api_client, sales_user):
    api_client.force_authenticate(sales_user)
    response = api_client.post("/api/v1/customers/", {"name": "X", "email": "not-an-email"})
    assert response.status_code == 400 and "email" in response.json()


# --- pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 25])
def test_customer_list_queries_do_not_grow_with_rows(
    client, manager_user, django_assert_max_num_queries, size
):
    for _ in range(size):
        CustomerFactory()
    client.force_login(manager_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("customers:list") + "?q=Customer&ordering=-name")
    assert response.status_code == 200


def test_customer_api_list_queries_are_fixed(api_client, manager_user, django_assert_max_num_queries):
    for c in CustomerFactory.create_batch(10):
        ContactFactory(customer=c)
    api_client.force_authenticate(manager_user)
    with django_assert_max_num_queries(8):
        assert api_client.get("/api/v1/customers/").status_code == 200


def test_customer_360_shows_header_contacts_and_panels(client, manager_user):
    c = CustomerFactory(tags="重点客户, 出口")
    ContactFactory(customer=c, name="王经理")
    client.force_login(manager_user)
    html = client.get(reverse("customers:detail", args=[c.pk])).content.decode()
    assert "王经理" in html and "重点客户" in html and 'data-panel="sales.opportunities"' in html


def test_create_form_shows_error_next_to_field(client, sales_user):
    client.force_login(sales_user)
    response = client.post(
        reverse("customers:create"), {"name": "", "kind": "company", "payment_terms_days": 30}
    )
    assert response.status_code == 200
    assert 'data-field-error="name"' in response.content.decode()


# --- import and export --------------------------------------------------------------------


def _xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("customers.xlsx", buf.getvalue())


def test_import_with_one_bad_row_writes_nothing_and_lists_errors(client, manager_user):
    client.force_login(manager_user)
    upload = _xlsx(
        [
            ["code", "name", "email", "credit_limit"],
            ["A1", "甲公司", "a@a.cn", "100"],
            ["A2", "乙公司", "not-an-email", "abc"],
            ["A3", "丙公司", "c@c.cn", "300"],
        ]
    )
    response = client.post(reverse("customers:import"), {"kind": "customers", "file": upload})
    html = response.content.decode()
    assert Customer.objects.count() == 0
    assert 'data-error-row="3"' in html and "email" in html and "credit_limit" in html
    assert "import-confirm" not in html


def test_import_preview_then_confirm_writes_all_rows(
    client, manager_user, django_capture_on_commit_callbacks
):
    client.force_login(manager_user)
    upload = _xlsx([["编码", "名称", "电话"], ["B1", "甲公司", "1"], ["B2", "乙公司", "2"]])
    response = client.post(reverse("customers:import"), {"kind": "customers", "file": upload})
    assert Customer.objects.count() == 0  # dry run
    token = response.context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:import"), {"token": token})
    assert set(Customer.objects.values_list("code", flat=True)) == {"B1", "B2"}


def test_csv_contact_import_rejects_unknown_customer(client, manager_user):
    CustomerFactory(code="K1")
    client.force_login(manager_user)
    data = "customer,name,role\nK1,张三,采购\nNOPE,李四,财务\n".encode()
    response = client.post(
        reverse("customers:import"), {"kind": "contacts", "file": SimpleUploadedFile("c.csv", data)}
    )
    assert response.context["result"].errors[0]["row"] == 3
    assert response.context["result"].errors[0]["column"] == "customer"


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_export_defuses_formula_injection_in_csv(client, manager_user, evil):
    CustomerFactory(name=evil)
    client.force_login(manager_user)
    body = client.get(reverse("customers:list") + "?export=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][1] == "'" + evil


def test_export_defuses_formula_injection_in_xlsx(client, manager_user):
    CustomerFactory(name="=cmd|' /C calc'!A0")
    client.force_login(manager_user)
    content = (
        b"".join(client.get(reverse("customers:list") + "?export=xlsx").streaming_content)
        if False
        else client.get(reverse("customers:list") + "?export=xlsx").content
    )
    ws = load_workbook(io.BytesIO(content)).active
    assert ws.cell(row=2, column=2).value == "'=cmd|' /C calc'!A0"


def test_credit_limit_change_shows_on_customer_timeline(client, manager_user):
    c = CustomerFactory(credit_limit=Decimal("1000.00"))
    services.customer_update(customer=c, actor=manager_user, credit_limit="2000")
    client.force_login(manager_user)
    html = client.get(reverse("customers:detail", args=[c.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1000.00" in html and "2000.00" in html


def test_long_customer_list_counts_only_up_to_the_cap(client, manager_user, monkeypatch):
    from core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    CustomerFactory.create_batch(5)
    client.force_login(manager_user)
    response = client.get(reverse("customers:list") + "?page_size=25", HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["page_obj"].paginator.capped
    assert len(response.context["page_obj"].object_list) == 5


def test_contacts_export_follows_record_rules_and_escapes_formulas(client, two_teams):
    ContactFactory(customer=CustomerFactory(owner=two_teams["rep"]), name="=1+2")
    ContactFactory(customer=CustomerFactory(owner=two_teams["other"]), name="Hidden")
    client.force_login(two_teams["rep"])
    body = client.get(reverse("customers:contacts_export") + "?export=csv").content.decode("utf-8-sig")
    assert "'=1+2" in body and "Hidden" not in body


@pytest.mark.parametrize("query", ["重", "重庆", "庆", "华通"])
def test_short_chinese_search_finds_names_including_polyphonic_characters(manager_user, query):
    chongqing = CustomerFactory(name="重庆华通机电有限公司")
    CustomerFactory(name="上海宏达贸易有限公司")
    assert list(selectors.customer_list(user=manager_user, q=query)) == [chongqing]


def test_chinese_names_show_family_name_first():
    from crm.customers.templatetags.crm import person

    assert person(UserFactory(first_name="伟", last_name="张")) == "张伟"
    assert person(UserFactory(first_name="Wei", last_name="Zhang")) == "Wei Zhang"
