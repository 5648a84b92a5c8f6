"""Who may set a customer's owner, team and credit limit: one rule
(``selectors.customer_assignment_allowed`` / ``teams_assignable_by``) for the form, the API and
the import."""

import pytest
from django.urls import reverse

from crm.customers import selectors
from crm.customers.models import Customer
from tests.crm.customers.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_managers_may_assign_and_reps_may_not(sales_user, manager_user, admin_user):
    assert selectors.customer_assignment_allowed(manager_user)
    assert selectors.customer_assignment_allowed(admin_user)
    assert not selectors.customer_assignment_allowed(sales_user)


def test_a_rep_may_put_customers_only_in_their_own_teams(sales_user, manager_user):
    own = TeamFactory(members=[sales_user])
    other = TeamFactory()
    assert list(selectors.teams_assignable_by(sales_user)) == [own]
    assert set(selectors.teams_assignable_by(manager_user)) == {own, other}


def test_the_form_refuses_a_reps_customer_in_another_team(client, sales_user):
    other = TeamFactory()
    client.force_login(sales_user)
    response = client.post(
        reverse("customers:create"),
        {"name": "甲公司", "kind": "company", "payment_terms_days": 30, "stage": "lead", "team": other.pk},
    )
    assert response.status_code == 200
    assert 'data-field-error="team"' in response.content.decode()
    assert not Customer.objects.exists()


def test_the_api_refuses_a_reps_customer_in_another_team(api_client, sales_user):
    other = TeamFactory()
    api_client.force_authenticate(sales_user)
    response = api_client.post("/api/v1/customers/", {"name": "甲公司", "team": other.pk}, format="json")
    assert response.status_code == 403
    assert not Customer.objects.exists()


def test_the_api_lets_a_rep_use_their_own_team(api_client, sales_user):
    own = TeamFactory(members=[sales_user])
    api_client.force_authenticate(sales_user)
    response = api_client.post("/api/v1/customers/", {"name": "甲公司", "team": own.pk}, format="json")
    assert response.status_code == 201
    assert Customer.objects.get().team == own


def test_a_reps_edit_keeps_the_team_a_manager_put_the_customer_in(client, sales_user):
    other_team = TeamFactory()
    customer = Customer.objects.create(name="乙公司", owner=sales_user, team=other_team)
    client.force_login(sales_user)
    form = client.get(reverse("customers:edit", args=[customer.pk])).context["form"]
    assert other_team in form.fields["team"].queryset
