from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.events.models import Notification
from core.models import AuditLog
from crm.customers.models import Customer
from crm.sales import selectors, services
from crm.sales.models import Activity, AssignmentRule, Lead, Opportunity, PipelineStage
from tests.crm.customers.factories import CustomerFactory, RegionFactory, TeamFactory
from tests.crm.sales.factories import LeadFactory, OpportunityFactory, TaskFactory, open_stages
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reps(db):
    a = UserFactory(roles=["sales"], username="rep-a")
    b = UserFactory(roles=["sales"], username="rep-b")
    c = UserFactory(roles=["sales"], username="rep-c")
    team = TeamFactory(name="North", members=[a, b])
    far = TeamFactory(name="Far", members=[c])
    return {"a": a, "b": b, "c": c, "team": team, "far": far}


def test_default_stages_come_with_probabilities():
    stages = list(PipelineStage.objects.order_by("order"))
    assert len(stages) == 6 and stages[0].probability == 10 and stages[-1].is_lost


# --- assignment rules ---------------------------------------------------------------------


def test_round_robin_alternates_between_team_members(reps):
    AssignmentRule.objects.create(name="RR", kind="round_robin", team=reps["team"])
    owners = [services.lead_create(name=f"L{i}", phone=f"1{i}").owner for i in range(4)]
    assert owners == [reps["a"], reps["b"], reps["a"], reps["b"]]


def test_region_rule_wins_over_round_robin_for_its_region(reps):
    south = RegionFactory(code="S", name="华南")
    AssignmentRule.objects.create(name="South", kind="region", region=south, user=reps["c"], order=1)
    AssignmentRule.objects.create(name="RR", kind="round_robin", team=reps["team"], order=2)
    assert services.lead_create(name="x", phone="1", region=south).owner == reps["c"]
    assert services.lead_create(name="y", phone="2").owner in {reps["a"], reps["b"]}


def test_product_rule_assigns_by_product_interest(reps):
    pump = ProductFactory()
    AssignmentRule.objects.create(name="Pumps", kind="product", product=pump, team=reps["far"], order=1)
    AssignmentRule.objects.create(name="RR", kind="round_robin", team=reps["team"], order=2)
    lead = services.lead_create(name="x", phone="1", products=[pump])
    assert lead.owner == reps["c"] and "Pumps" in lead.assignment_reason


def test_assignment_is_audited_with_who_and_why(reps):
    AssignmentRule.objects.create(name="RR", kind="round_robin", team=reps["team"])
    lead = services.lead_create(name="x", phone="1")
    log = AuditLog.objects.get(action="lead.assigned", object_id=str(lead.pk))
    assert log.data["owner"] == reps["a"].pk and log.data["reason"] == "round_robin"


def test_the_assignment_audit_names_the_owner_by_name():
    rep = UserFactory(roles=["sales"], username="u_zhangwei", last_name="张", first_name="伟")
    AssignmentRule.objects.create(name="RR", kind="round_robin", team=TeamFactory(members=[rep]))
    lead = services.lead_create(name="x", phone="1")
    assert AuditLog.objects.get(action="lead.assigned", object_id=str(lead.pk)).data["owner_name"] == "张伟"


def test_lead_like_existing_customer_is_flagged():
    c = CustomerFactory(phone="13912345678")
    lead = services.lead_create(name="x", phone="13912345678")
    assert lead.possible_duplicate == c


# --- SLA ----------------------------------------------------------------------------------


def test_uncontacted_lead_past_sla_is_overdue(settings):
    settings.CRM_LEAD_SLA_HOURS = 2
    lead = services.lead_create(name="x", phone="1", assign=False)
    later = timezone.now() + timedelta(hours=3)
    assert list(selectors.leads_overdue(now=later)) == [lead]


def test_logging_a_call_meets_first_contact(sales_user):
    lead = services.lead_create(name="x", phone="1", owner=sales_user)
    services.activity_log(actor=sales_user, kind="call", subject="Called", lead=lead)
    lead.refresh_from_db()
    later = timezone.now() + timedelta(days=3)
    assert lead.first_contacted_at is not None and lead.status == Lead.Status.CONTACTED
    assert not selectors.leads_overdue(now=later).exists()


# --- public form --------------------------------------------------------------------------


def test_public_form_creates_lead_without_login(client):
    response = client.post(reverse("sales:lead_public"), {"name": "王先生", "phone": "13800000000"})
    assert response.status_code == 200 and Lead.objects.filter(name="王先生", source="web").exists()


def test_public_form_honeypot_drops_bots(client):
    client.post(reverse("sales:lead_public"), {"name": "bot", "phone": "1", "website": "http://spam"})
    assert not Lead.objects.exists()


def test_public_form_rate_limited_per_ip(client, settings):
    settings.CRM_LEAD_FORM_LIMIT = 2
    codes = [
        client.post(reverse("sales:lead_public"), {"name": f"n{i}", "phone": f"1{i}"}).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429] and Lead.objects.count() == 2


# --- conversion ---------------------------------------------------------------------------


def test_convert_lead_creates_customer_contact_and_opportunity(sales_user):
    product = ProductFactory()
    lead = services.lead_create(
        name="陈经理", company="深圳宏达电子", phone="075512345678", owner=sales_user, products=[product]
    )
    customer, opp = services.lead_convert(lead=lead, actor=sales_user, amount="88000")
    lead.refresh_from_db()
    assert customer.name == "深圳宏达电子" and customer.owner == sales_user
    assert customer.contacts.get().name == "陈经理"
    assert (
        opp.customer == customer
        and opp.amount == Decimal("88000.00")
        and list(opp.products.all()) == [product]
    )
    assert lead.status == Lead.Status.CONVERTED and lead.customer == customer


def test_failed_conversion_writes_nothing(sales_user):
    lead = services.lead_create(name="x", company="Y", phone="1", owner=sales_user)
    with pytest.raises(Exception):  # noqa: B017 - any validation failure
        services.lead_convert(lead=lead, actor=sales_user, amount="-1")
    assert not Customer.objects.exists() and Lead.objects.get().status == Lead.Status.NEW


def test_convert_through_api(api_client, sales_user):
    lead = services.lead_create(name="x", company="Z", phone="1", owner=sales_user)
    api_client.force_authenticate(sales_user)
    response = api_client.post(f"/api/v1/leads/{lead.pk}/convert/", {"amount": "100"})
    assert response.status_code == 201
    assert (
        Opportunity.objects.get(pk=response.json()["opportunity"]).customer_id == response.json()["customer"]
    )


# --- kanban -------------------------------------------------------------------------------


def test_kanban_move_by_htmx_saves_and_audits(client, sales_user):
    opp = OpportunityFactory(customer=CustomerFactory(owner=sales_user))
    target = open_stages()[2]
    client.force_login(sales_user)
    response = client.post(
        reverse("sales:opportunity_move", args=[opp.pk]), {"stage": target.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and f'id="opp-{opp.pk}"' in response.content.decode()
    opp.refresh_from_db()
    assert opp.stage == target
    assert AuditLog.objects.filter(action="opportunity.stage_changed", object_id=str(opp.pk)).exists()


def test_kanban_move_to_closed_stage_is_refused(client, sales_user):
    opp = OpportunityFactory(customer=CustomerFactory(owner=sales_user))
    won = PipelineStage.objects.get(is_won=True)
    client.force_login(sales_user)
    response = client.post(reverse("sales:opportunity_move", args=[opp.pk]), {"stage": won.pk})
    assert response.status_code == 400
    opp.refresh_from_db()
    assert opp.stage != won


def test_rep_cannot_move_other_teams_opportunity(client, reps):
    opp = OpportunityFactory(customer=CustomerFactory(owner=reps["c"]))
    client.force_login(reps["a"])
    response = client.post(reverse("sales:opportunity_move", args=[opp.pk]), {"stage": open_stages()[1].pk})
    assert response.status_code == 404


def test_board_page_lists_cards_by_stage(client, sales_user, django_assert_max_num_queries):
    for _ in range(5):
        OpportunityFactory(customer=CustomerFactory(owner=sales_user))
    client.force_login(sales_user)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("sales:board")).content.decode()
    assert html.count('class="card kanban-card') == 5


def test_lost_needs_a_reason(sales_user):
    opp = OpportunityFactory(customer=CustomerFactory(owner=sales_user))
    with pytest.raises(Exception) as exc:  # noqa: B017
        services.opportunity_close(opportunity=opp, won=False, reason=" ", actor=sales_user)
    assert "reason" in exc.value.message_dict


def test_won_and_lost_are_recorded(sales_user):
    opp = OpportunityFactory(customer=CustomerFactory(owner=sales_user))
    services.opportunity_close(opportunity=opp, won=True, reason="价格合适", actor=sales_user)
    opp.refresh_from_db()
    assert opp.state == "won" and opp.stage.is_won and opp.won_reason == "价格合适"


# --- forecast and funnel ------------------------------------------------------------------


def test_weighted_forecast_uses_stage_probability(manager_user):
    stages = open_stages()
    OpportunityFactory(stage=stages[0], amount=Decimal("1000"))  # 10 %
    OpportunityFactory(stage=stages[2], amount=Decimal("2000"))  # 50 %
    result = selectors.forecast(user=manager_user)
    assert result["total"] == Decimal("3000.00") and result["weighted"] == Decimal("1100.00")


def test_funnel_conversion_between_stages(manager_user, sales_user):
    stages = open_stages()
    a = services.opportunity_create(
        actor=sales_user, name="a", customer=CustomerFactory(owner=sales_user), stage=stages[0]
    )
    services.opportunity_create(
        actor=sales_user, name="b", customer=CustomerFactory(owner=sales_user), stage=stages[0]
    )
    services.opportunity_move(opportunity=a, stage=stages[1], actor=sales_user)
    rows = selectors.funnel(user=manager_user)
    assert rows[0]["reached"] == 2 and rows[0]["conversion"] == 50.0 and rows[1]["count"] == 1


# --- tasks --------------------------------------------------------------------------------


def test_due_tasks_become_notifications_once(sales_user):
    task = TaskFactory(
        customer=CustomerFactory(owner=sales_user), due_at=timezone.now() - timedelta(minutes=5)
    )
    TaskFactory(customer=CustomerFactory(owner=sales_user), due_at=timezone.now() + timedelta(days=2))
    from crm.sales.tasks import task_reminders

    task_reminders()
    task_reminders()
    notes = Notification.objects.filter(user=sales_user)
    assert notes.count() == 1 and task.subject in notes.get().title_text()


def test_done_task_is_not_notified(sales_user):
    TaskFactory(
        customer=CustomerFactory(owner=sales_user),
        due_at=timezone.now() - timedelta(hours=3),
        done_at=timezone.now(),
    )
    assert services.tasks_notify_due() == 0


def test_beat_schedule_runs_task_reminders(settings):
    tasks = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "crm.sales.tasks.task_reminders" in tasks


def test_activities_feed_customer_timeline(client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    services.activity_log(actor=sales_user, kind="visit", subject="上门拜访王总", customer=customer)
    client.force_login(sales_user)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "上门拜访王总" in html


# --- record rules on the pipeline API -----------------------------------------------------


def test_rep_cannot_read_other_teams_opportunity_or_lead_by_id(api_client, reps):
    opp = OpportunityFactory(customer=CustomerFactory(owner=reps["c"]))
    lead = LeadFactory(owner=reps["c"])
    api_client.force_authenticate(reps["a"])
    assert api_client.get(f"/api/v1/opportunities/{opp.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/leads/{lead.pk}/").status_code == 404


def test_lead_list_names_the_web_form_source_in_the_users_language(client, sales_user):
    LeadFactory(owner=sales_user, source="web")
    LeadFactory(owner=sales_user, source="展会")
    client.force_login(sales_user)
    html = client.get(reverse("sales:lead_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<td>网站表单</td>" in html and "<td>展会</td>" in html
    assert "<td>web</td>" not in html


def test_rep_cannot_open_other_teams_lead_page(client, reps):
    lead = LeadFactory(owner=reps["c"])
    client.force_login(reps["a"])
    assert client.get(reverse("sales:lead_detail", args=[lead.pk])).status_code == 404


def test_lead_list_queries_are_fixed(client, sales_user, django_assert_max_num_queries):
    for i in range(10):
        LeadFactory(owner=sales_user, phone=f"1{i}")
    client.force_login(sales_user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("sales:lead_list")).status_code == 200


def test_api_lists_have_fixed_queries(api_client, sales_user, django_assert_max_num_queries):
    for _ in range(5):
        OpportunityFactory(customer=CustomerFactory(owner=sales_user))
        LeadFactory(owner=sales_user)
    api_client.force_authenticate(sales_user)
    for url in ("/api/v1/opportunities/", "/api/v1/leads/", "/api/v1/activities/", "/api/v1/stages/"):
        with django_assert_max_num_queries(8):
            assert api_client.get(url).status_code == 200


def test_api_lead_create_names_bad_field(api_client, sales_user):
    api_client.force_authenticate(sales_user)
    response = api_client.post("/api/v1/leads/", {"name": "x"})
    assert response.status_code == 400 and "phone" in response.json()


def test_lead_import_assigns_each_lead(client, manager_user, reps, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    AssignmentRule.objects.create(name="RR", kind="round_robin", team=reps["team"])
    client.force_login(manager_user)
    data = "姓名,公司,电话\n赵先生,甲,1301\n钱女士,乙,1302\n".encode()
    response = client.post(
        reverse("customers:import"), {"kind": "leads", "file": SimpleUploadedFile("l.csv", data)}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:import"), {"token": response.context["token"]})
    assert sorted(Lead.objects.values_list("owner__username", flat=True)) == ["rep-a", "rep-b"]


def test_lead_import_rejects_file_when_one_row_lacks_phone_and_email(client, manager_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(manager_user)
    data = "name,company,phone\nA,甲,1301\nB,乙,\n".encode()
    response = client.post(
        reverse("customers:import"), {"kind": "leads", "file": SimpleUploadedFile("l.csv", data)}
    )
    errors = response.context["result"].errors
    assert [(e["row"], e["column"]) for e in errors] == [(3, "phone")]
    assert not Lead.objects.exists()


def test_rep_guessing_other_teams_opportunity_page_gets_404(client, reps):
    opp = OpportunityFactory(customer=CustomerFactory(owner=reps["c"]))
    client.force_login(reps["a"])
    assert client.get(reverse("sales:opportunity_detail", args=[opp.pk])).status_code == 404


def test_activities_api_hides_other_teams_activities(api_client, reps):
    TaskFactory(customer=CustomerFactory(owner=reps["c"]))
    mine = TaskFactory(customer=CustomerFactory(owner=reps["a"]))
    api_client.force_authenticate(reps["a"])
    ids = [row["id"] for row in api_client.get("/api/v1/activities/").json()["results"]]
    assert ids == [mine.pk]


def test_rep_cannot_log_activity_on_other_teams_customer_via_api(api_client, reps):
    foreign = CustomerFactory(owner=reps["c"])
    api_client.force_authenticate(reps["a"])
    response = api_client.post(
        "/api/v1/activities/", {"kind": "call", "subject": "x", "customer": foreign.pk}
    )
    assert response.status_code == 400 and "customer" in response.json()
    assert not Activity.objects.exists()


def test_only_admin_changes_stages_through_api(api_client, sales_user, admin_user):
    api_client.force_authenticate(sales_user)
    assert api_client.post("/api/v1/stages/", {"name": "X", "order": 5, "probability": 20}).status_code == 403
    api_client.force_authenticate(admin_user)
    assert api_client.post("/api/v1/stages/", {"name": "X", "order": 5, "probability": 20}).status_code == 201


def test_manager_assigns_lead_by_hand_and_it_is_audited(client, manager_user, reps):
    lead = services.lead_create(name="x", phone="1", assign=False)
    client.force_login(manager_user)
    response = client.post(
        reverse("sales:lead_edit", args=[lead.pk]),
        {"name": "x", "phone": "1", "status": "new", "owner": reps["b"].pk},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.owner == reps["b"]
    assert AuditLog.objects.filter(
        action="lead.assigned", object_id=str(lead.pk), data__reason="manual"
    ).exists()
