"""Users and roles in the application: invitations with a set-password link, roles, deactivation
with the user's book reassigned, reactivation; the pages and the API (admin only); the empty
start."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.models import AuditLog
from core.tokens import token_create
from crm.customers.models import Customer
from crm.sales.models import Quote, SalesOrder
from crm.sales.orders import quote_services
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from integration.setup import users
from integration.setup.invites import InviteTokenGenerator
from tests.crm.customers.factories import CustomerFactory, TeamFactory
from tests.crm.sales.factories import LeadFactory
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
S = SalesOrder.State
LINK = re.compile(r"https?://[^/\s]+(/accounts/set-password/[^/\s]+/[^/\s]+/)")
NEW_PASSWORD = "Lantern-Harbour-42"


@pytest.fixture
def admin(db):
    return UserFactory(roles=["admin"], username="boss", first_name="洋", last_name="黄")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def admin_api(api_client, admin):
    api_client.force_authenticate(admin)
    return api_client


@pytest.fixture
def reps(db):
    a = UserFactory(roles=["sales"], username="rep-a", first_name="伟", last_name="张")
    b = UserFactory(roles=["sales"], username="rep-b", first_name="芳", last_name="李")
    return {"a": a, "b": b}


def _invite(admin, capture, **kwargs):
    data = {"email": "zhao.min@example.com", "first_name": "敏", "last_name": "赵", "roles": ["warehouse"]}
    data.update(kwargs)
    with capture(execute=True):
        return users.user_invite(actor=admin, **data)


def _link_path(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _logs_in(client, username, password) -> bool:
    """Through the login page, as a person does (the lockout's backend wants the request)."""
    answer = client.post(reverse("login"), {"username": username, "password": password})
    return answer.status_code == 302 and answer["Location"] == reverse("home")


def _set_password(client, path, password=NEW_PASSWORD):
    """Follow the link (Django moves the token into the session), then post the new password."""
    landed = client.get(path, follow=True)
    form_url = landed.redirect_chain[-1][0] if landed.redirect_chain else path
    return landed, client.post(form_url, {"new_password1": password, "new_password2": password})


# --- invitations -----------------------------------------------------------------------------


def test_invite_sends_one_email_whose_link_sets_the_password_and_signs_in(
    client, admin, django_capture_on_commit_callbacks
):
    user = _invite(admin, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["zhao.min@example.com"]
    landed, answer = _set_password(client, _link_path(mail.outbox[0]))
    assert landed.context["validlink"] is True
    assert answer.status_code == 302 and answer["Location"] == reverse("home")
    assert client.get(reverse("home")).wsgi_request.user == user
    client.logout()
    assert _logs_in(client, user.username, NEW_PASSWORD)


def test_invited_user_is_active_without_a_usable_password_and_holds_the_roles(
    admin, django_capture_on_commit_callbacks
):
    user = _invite(admin, django_capture_on_commit_callbacks, roles=["warehouse", "purchasing"])
    user.refresh_from_db()
    assert user.is_active and not user.has_usable_password()
    assert users.user_roles_of(user) == ["warehouse", "purchasing"]
    assert users.user_state(user) == users.INVITED


def test_invitation_email_is_written_in_the_inviters_language(admin, django_capture_on_commit_callbacks):
    with translation.override("en"):
        _invite(admin, django_capture_on_commit_callbacks)
    assert "Choose your password" in mail.outbox[0].subject
    assert "黄洋" in mail.outbox[0].body


def test_user_name_is_made_from_the_email_and_kept_unique(admin, django_capture_on_commit_callbacks):
    UserFactory(username="zhao.min", email="someone@example.com")
    user = _invite(admin, django_capture_on_commit_callbacks)
    assert user.username == "zhao.min2"


def test_invite_joins_the_sales_teams_given(admin, django_capture_on_commit_callbacks):
    team = TeamFactory(name="华东")
    user = _invite(admin, django_capture_on_commit_callbacks, roles=["sales"], teams=[team])
    assert list(user.sales_teams.all()) == [team]


def test_invite_refuses_an_email_address_in_use_whatever_its_case(admin):
    UserFactory(username="old", email="zhao.min@example.com")
    with pytest.raises(ValidationError) as err:
        users.user_invite(actor=admin, email="Zhao.Min@EXAMPLE.com", last_name="赵", roles=["sales"])
    assert "email" in err.value.message_dict


def test_invite_refuses_a_user_name_in_use(admin):
    UserFactory(username="zhaomin")
    with pytest.raises(ValidationError) as err:
        users.user_invite(
            actor=admin, email="z@example.com", last_name="赵", roles=["sales"], username="ZhaoMin"
        )
    assert "username" in err.value.message_dict


def test_invite_refuses_an_unknown_role(admin):
    with pytest.raises(ValidationError) as err:
        users.user_invite(actor=admin, email="z@example.com", last_name="赵", roles=["sales", "boss"])
    assert "roles" in err.value.message_dict
    assert not User.objects.filter(email="z@example.com").exists()


def test_set_password_link_works_once(client, admin, django_capture_on_commit_callbacks):
    _invite(admin, django_capture_on_commit_callbacks)
    path = _link_path(mail.outbox[0])
    _set_password(client, path)
    client.logout()
    again = client.get(path, follow=True)
    assert again.context["validlink"] is False
    assert 'data-testid="invalid-link"' in again.content.decode()


def test_set_password_link_expires_after_invite_days(
    client, admin, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.INVITE_DAYS = 3
    _invite(admin, django_capture_on_commit_callbacks)
    path = _link_path(mail.outbox[0])
    sent = datetime.now()
    monkeypatch.setattr(InviteTokenGenerator, "_now", lambda self: sent + timedelta(days=2, hours=23))
    assert client.get(path, follow=True).context["validlink"] is True
    monkeypatch.setattr(InviteTokenGenerator, "_now", lambda self: sent + timedelta(days=3, hours=1))
    assert client.get(path, follow=True).context["validlink"] is False


def test_a_resent_invitation_replaces_the_earlier_link(client, admin, django_capture_on_commit_callbacks):
    user = _invite(admin, django_capture_on_commit_callbacks)
    first = _link_path(mail.outbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        users.user_invite_resend(actor=admin, user=user)
    assert len(mail.outbox) == 2
    assert client.get(first, follow=True).context["validlink"] is False
    assert client.get(_link_path(mail.outbox[1]), follow=True).context["validlink"] is True


def test_a_password_reset_token_is_no_invitation(client, admin, django_capture_on_commit_callbacks):
    user = _invite(admin, django_capture_on_commit_callbacks)
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("set_password", args=[uidb64, default_token_generator.make_token(user)])
    assert client.get(path, follow=True).context["validlink"] is False


def test_set_password_page_applies_the_password_validators(client, admin, django_capture_on_commit_callbacks):
    user = _invite(admin, django_capture_on_commit_callbacks)
    _landed, answer = _set_password(client, _link_path(mail.outbox[0]), password="12345678")
    assert answer.status_code == 200 and answer.context["form"].errors["new_password2"]
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_deactivated_users_link_no_longer_works(client, admin, django_capture_on_commit_callbacks):
    user = _invite(admin, django_capture_on_commit_callbacks)
    path = _link_path(mail.outbox[0])
    users.user_deactivate(actor=admin, user=user)
    assert client.get(path, follow=True).context["validlink"] is False


def test_resending_to_a_user_who_set_a_password_is_refused(admin, reps):
    with pytest.raises(ValidationError) as err:
        users.user_invite_resend(actor=admin, user=reps["a"])
    assert "user" in err.value.message_dict


# --- roles -----------------------------------------------------------------------------------


def test_roles_set_gives_exactly_those_roles_and_keeps_other_groups(admin, reps):
    rep = reps["a"]
    rep.groups.add(Group.objects.create(name="newsletter"))
    assert users.user_roles_set(actor=admin, user=rep, roles=["manager", "finance"]) == ["finance", "manager"]
    assert sorted(rep.groups.values_list("name", flat=True)) == ["finance", "manager", "newsletter"]
    assert AuditLog.objects.filter(action="setup.user_roles_changed", object_id=str(rep.pk)).exists()


def test_taking_the_admin_role_from_the_last_admin_is_refused(admin):
    other = UserFactory(roles=["manager"])
    with pytest.raises(ValidationError) as err:
        users.user_roles_set(actor=other, user=admin, roles=["manager"])
    assert "roles" in err.value.message_dict


def test_taking_the_admin_role_from_yourself_is_refused(admin):
    UserFactory(roles=["admin"])
    with pytest.raises(ValidationError):
        users.user_roles_set(actor=admin, user=admin, roles=["manager"])


# --- deactivation ----------------------------------------------------------------------------


def _order(customer, owner, product, *states):
    order = order_services.order_create(
        customer=customer, owner=owner, lines=[{"product": product, "quantity": 1}]
    )
    for state in states:
        order_states.order_transition(order=order, to_state=state)
    return order


def test_deactivating_a_user_who_owns_records_requires_a_colleague_or_team(admin, reps):
    CustomerFactory(owner=reps["a"])
    with pytest.raises(ValidationError) as err:
        users.user_deactivate(actor=admin, user=reps["a"])
    assert "to_user" in err.value.message_dict
    assert User.objects.get(pk=reps["a"].pk).is_active


def test_deactivation_moves_customers_quotes_and_open_orders_in_one_go(admin, reps):
    a, b = reps["a"], reps["b"]
    product = ProductFactory(list_price=Decimal("100.00"))
    customer = CustomerFactory(owner=a)
    quote = quote_services.quote_create(
        customer=customer, owner=a, lines=[{"product": product, "quantity": 1}]
    )
    open_order = _order(customer, a, product, S.CONFIRMED)
    invoiced = _order(customer, a, product, S.CONFIRMED, S.SHIPPED, S.INVOICED)
    lead = LeadFactory(owner=a)

    moved = users.user_deactivate(actor=admin, user=a, to_user=b)

    assert moved["customers"] == 1 and moved["quotes"] == 1 and moved["orders"] == 1 and moved["leads"] == 1
    assert Customer.objects.get(pk=customer.pk).owner == b
    assert Quote.objects.get(pk=quote.pk).owner == b
    assert SalesOrder.objects.get(pk=open_order.pk).owner == b
    assert SalesOrder.objects.get(pk=invoiced.pk).owner == a  # finished work stays with who did it
    assert lead.__class__.objects.get(pk=lead.pk).owner == b
    assert not User.objects.get(pk=a.pk).is_active
    assert AuditLog.objects.get(action="setup.user_deactivated").data["moved"]["customers"] == 1


def test_deactivation_spreads_the_book_over_a_team(admin, reps):
    x = UserFactory(roles=["sales"], username="x")
    team = TeamFactory(members=[reps["a"], reps["b"], x])
    CustomerFactory.create_batch(4, owner=x)
    users.user_deactivate(actor=admin, user=x, team=team)
    assert sorted(Customer.objects.values_list("owner__username", flat=True)) == [
        "rep-a",
        "rep-a",
        "rep-b",
        "rep-b",
    ]


def test_a_failed_reassignment_leaves_the_user_active(admin, reps):
    CustomerFactory(owner=reps["a"])
    lonely = TeamFactory(members=[reps["a"]])
    with pytest.raises(ValidationError):
        users.user_deactivate(actor=admin, user=reps["a"], team=lonely)
    assert User.objects.get(pk=reps["a"].pk).is_active


def test_deactivating_yourself_is_refused(admin):
    UserFactory(roles=["admin"])
    with pytest.raises(ValidationError) as err:
        users.user_deactivate(actor=admin, user=admin)
    assert "user" in err.value.message_dict


def test_deactivating_the_last_admin_is_refused(admin):
    other_admin = UserFactory(roles=["admin"], is_active=False)
    with pytest.raises(ValidationError) as err:
        users.user_deactivate(actor=other_admin, user=admin)
    assert "user" in err.value.message_dict


def test_a_deactivated_user_cannot_log_in(client, admin, reps):
    users.user_deactivate(actor=admin, user=reps["a"])
    assert not _logs_in(client, "rep-a", "pw-Secret-123")


def test_a_deactivated_users_api_tokens_fail(api_client, admin, reps):
    _token, text = token_create(user=reps["a"])
    users.user_deactivate(actor=admin, user=reps["a"])
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {text}").status_code == 401
    assert AuditLog.objects.filter(action="auth.tokens_revoked", actor=admin).exists()


def test_a_deactivated_users_open_session_ends(client, admin, reps):
    client.force_login(reps["a"])
    users.user_deactivate(actor=admin, user=reps["a"])
    answer = client.get(reverse("home"))
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_a_reactivated_user_logs_in_again(client, admin, reps):
    users.user_deactivate(actor=admin, user=reps["a"])
    users.user_reactivate(actor=admin, user=reps["a"])
    assert _logs_in(client, "rep-a", "pw-Secret-123")


# --- pages -----------------------------------------------------------------------------------

PAGES = [
    ("setup:users", False),
    ("setup:user_invite", False),
    ("setup:user_detail", True),
    ("setup:user_deactivate", True),
]


@pytest.mark.parametrize("name,with_pk", PAGES)
def test_users_pages_are_for_admins_only(client, manager_user, reps, name, with_pk):
    client.force_login(manager_user)
    url = reverse(name, args=[reps["a"].pk] if with_pk else [])
    assert client.get(url).status_code == 403


def test_users_list_shows_names_roles_and_the_invited_state(
    admin_client, admin, django_capture_on_commit_callbacks
):
    _invite(admin, django_capture_on_commit_callbacks)
    page = admin_client.get(reverse("setup:users")).content.decode()
    assert "赵敏" in page and "zhao.min@example.com" in page
    assert 'data-status="invited"' in page and 'data-role="warehouse"' in page


def test_users_list_finds_a_person_by_their_chinese_full_name(admin_client, reps):
    rows = admin_client.get(reverse("setup:users"), {"q": "张伟"}).context["rows"]
    assert [row["user"] for row in rows] == [reps["a"]]


def test_users_list_filters_by_state(admin_client, admin, reps):
    users.user_deactivate(actor=admin, user=reps["b"])
    rows = admin_client.get(reverse("setup:users"), {"state": "inactive"}).context["rows"]
    assert [row["user"] for row in rows] == [reps["b"]]


def test_users_list_costs_the_same_queries_for_many_users(admin_client, django_assert_max_num_queries):
    for i in range(3):
        UserFactory(roles=["sales", "service"], username=f"few{i}")
    # 11: the page's own, and the first read of the navigation order (kept for a minute after).
    with django_assert_max_num_queries(11) as few:
        admin_client.get(reverse("setup:users"))
    for i in range(30):
        UserFactory(roles=["sales", "finance"], username=f"many{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_client.get(reverse("setup:users")).status_code == 200


def test_invite_page_sends_the_invitation(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(
            reverse("setup:user_invite"),
            {"last_name": "赵", "first_name": "敏", "email": "zm@example.com", "roles": ["warehouse"]},
        )
    user = User.objects.get(email="zm@example.com")
    assert answer.status_code == 302 and answer["Location"] == reverse("setup:user_detail", args=[user.pk])
    assert len(mail.outbox) == 1


def test_invite_page_names_the_field_of_a_duplicate_email(admin_client, reps):
    answer = admin_client.post(
        reverse("setup:user_invite"), {"last_name": "赵", "email": reps["a"].email, "roles": ["sales"]}
    )
    assert answer.status_code == 200 and "email" in answer.context["form"].errors


def test_role_change_page_saves_the_ticked_roles(admin_client, reps):
    url = reverse("setup:user_roles", args=[reps["a"].pk])
    assert admin_client.post(url, {"roles": ["sales", "manager"]}).status_code == 302
    assert users.user_roles_of(reps["a"]) == ["sales", "manager"]


def test_deactivate_dialog_shows_what_the_user_owns(admin_client, reps):
    CustomerFactory.create_batch(2, owner=reps["a"])
    LeadFactory(owner=reps["a"])
    url = reverse("setup:user_detail", args=[reps["a"].pk])
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="deactivate-dialog"' in page
    assert "Customers: <strong>2</strong>" in page and "Leads: <strong>1</strong>" in page


def test_deactivate_page_without_a_colleague_names_the_field(admin_client, reps):
    CustomerFactory(owner=reps["a"])
    answer = admin_client.post(reverse("setup:user_deactivate", args=[reps["a"].pk]), {})
    assert answer.status_code == 400 and "to_user" in answer.context["deactivate_form"].errors


def test_deactivate_page_moves_the_book_to_the_colleague_chosen(admin_client, reps):
    customer = CustomerFactory(owner=reps["a"])
    url = reverse("setup:user_deactivate", args=[reps["a"].pk])
    assert admin_client.post(url, {"to_user": reps["b"].pk}).status_code == 302
    assert Customer.objects.get(pk=customer.pk).owner == reps["b"]


def test_reactivate_and_resend_buttons_act(admin_client, admin, reps, django_capture_on_commit_callbacks):
    invited = _invite(admin, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("setup:user_resend_invite", args=[invited.pk]))
    assert len(mail.outbox) == 2
    users.user_deactivate(actor=admin, user=reps["a"])
    admin_client.post(reverse("setup:user_reactivate", args=[reps["a"].pk]))
    assert User.objects.get(pk=reps["a"].pk).is_active


def test_admins_see_users_in_the_menu_and_others_do_not(client, admin, manager_user):
    client.force_login(admin)
    assert 'data-nav="setup.users"' in client.get(reverse("home")).content.decode()
    client.force_login(manager_user)
    assert 'data-nav="setup.users"' not in client.get(reverse("home")).content.decode()


# --- API -------------------------------------------------------------------------------------

API = "/api/v1/setup/users/"


def test_api_create_invites(admin_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_api.post(
            API,
            {"email": "zm@example.com", "last_name": "赵", "first_name": "敏", "roles": ["warehouse"]},
            format="json",
        )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["state"] == "invited" and answer.json()["full_name"] == "赵敏"
    assert len(mail.outbox) == 1


def test_api_is_for_admins_only(api_client, manager_user):
    api_client.force_authenticate(manager_user)
    assert api_client.get(API).status_code == 403


@pytest.mark.parametrize(
    "body,field",
    [
        ({"email": "zm@example.com", "last_name": "赵", "roles": ["boss"]}, "roles"),
        ({"email": "zm@example.com", "last_name": "赵", "roles": []}, "roles"),
        ({"email": "not-an-address", "last_name": "赵", "roles": ["sales"]}, "email"),
        ({"email": "rep-a@example.com", "last_name": "赵", "roles": ["sales"]}, "email"),
        ({"email": "zm@example.com", "last_name": "赵", "roles": ["sales"], "username": "rep-b"}, "username"),
        ({"email": "zm@example.com", "last_name": "赵", "roles": ["sales"], "teams": ["²"]}, "teams"),
    ],
)
def test_api_bad_invitation_answers_400_naming_the_field(admin_api, reps, body, field):
    answer = admin_api.post(API, body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.json()


def test_api_an_id_that_is_no_number_is_not_found(admin_api):
    assert admin_api.get(API + "²/").status_code == 404
    assert admin_api.post(API + "²/deactivate/", {}, format="json").status_code == 404


def test_api_patch_sets_the_roles(admin_api, reps):
    answer = admin_api.patch(f"{API}{reps['a'].pk}/", {"roles": ["sales", "manager"]}, format="json")
    assert answer.status_code == 200 and answer.json()["roles"] == ["sales", "manager"]


def test_api_deactivating_yourself_answers_400_naming_the_user(admin_api, admin):
    answer = admin_api.post(f"{API}{admin.pk}/deactivate/", {}, format="json")
    assert answer.status_code == 400 and "user" in answer.json()


def test_api_deactivate_moves_the_book_and_reactivate_undoes_the_deactivation(admin_api, reps):
    customer = CustomerFactory(owner=reps["a"])
    answer = admin_api.post(f"{API}{reps['a'].pk}/deactivate/", {"to_user": reps["b"].pk}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["moved"]["customers"] == 1 and answer.json()["user"]["state"] == "inactive"
    assert Customer.objects.get(pk=customer.pk).owner == reps["b"]
    assert admin_api.post(f"{API}{reps['a'].pk}/reactivate/").json()["state"] == "active"


def test_api_resend_invite(admin_api, admin, django_capture_on_commit_callbacks):
    user = _invite(admin, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_api.post(f"{API}{user.pk}/resend-invite/").status_code == 200
    assert len(mail.outbox) == 2


def test_api_list_costs_the_same_queries_for_many_users(admin_api, django_assert_max_num_queries):
    TeamFactory(members=[UserFactory(roles=["sales"], username=f"few{i}") for i in range(3)])
    with django_assert_max_num_queries(10) as few:
        admin_api.get(API)
    TeamFactory(members=[UserFactory(roles=["sales", "finance"], username=f"many{i}") for i in range(30)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_api.get(API).status_code == 200


# --- the empty start -------------------------------------------------------------------------


def _start_empty(*args) -> str:
    out = StringIO()
    call_command("start_empty", *args, stdout=out)
    return out.getvalue()


def test_start_empty_creates_the_first_admin_and_prints_a_working_link(client, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    printed = _start_empty()
    admin = User.objects.get()
    assert admin.username == "admin" and not admin.has_usable_password()
    assert users.user_roles_of(admin) == ["admin"] and admin.is_superuser
    assert "http://127.0.0.1:8000/setup/" in printed
    match = re.search(r"http://127\.0\.0\.1:8000(/accounts/set-password/\S+/)", printed)
    assert match, printed
    _landed, answer = _set_password(client, match.group(1))
    assert answer.status_code == 302
    assert client.get("/setup/users/").status_code == 200


def test_start_empty_refuses_a_database_with_users(reps):
    with pytest.raises(CommandError, match="has 2 user"):
        _start_empty()
    assert User.objects.count() == 2


def test_start_empty_with_force_adds_the_admin_anyway(reps):
    _start_empty("--force", "--username", "first-admin")
    assert User.objects.filter(username="first-admin", is_superuser=True).exists()


def test_start_empty_run_again_creates_nothing_and_prints_a_new_link(client):
    _start_empty()
    printed = _start_empty("--resume")
    assert User.objects.count() == 1
    assert "/accounts/set-password/" in printed


def test_reactivating_an_invitee_voids_the_links_sent_before(admin, django_capture_on_commit_callbacks):
    from integration.setup import invites, users

    with django_capture_on_commit_callbacks(execute=True):
        invitee = users.user_invite(
            actor=admin, email="new@example.com", last_name="钱", first_name="七", roles=["sales"]
        )
    old_token = invites.invite_tokens.make_token(invitee)
    users.user_deactivate(actor=admin, user=invitee)
    users.user_reactivate(actor=admin, user=invitee)
    invitee.refresh_from_db()
    assert not invites.invite_tokens.check_token(invitee, old_token)
