"""What a user sees on the service pages beyond the data: messages makemessages can extract,
styles the content security policy lets through, check box lists that look like check boxes,
links from the survey list, a ticket without SLA targets saying so."""

import re
from pathlib import Path

import pytest
from django import forms
from django.urls import reverse

from core.forms import style_fields
from crm.service.forms import EngineerForm
from tests.crm.service.factories import SurveyFactory, TicketFactory
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[3]
LOOP_TEMPLATES = ["crm/service", "integration/aftersales", "integration/fulfilment"]
# makemessages runs xgettext with gettext's own names (``_``, ``gettext``, ``ngettext``…) and
# Django's (``gettext_lazy``, ``pgettext``…); a string passed to any other alias is never extracted.
ALIAS = re.compile(r"from django\.utils\.translation import .*\b(\w*gettext\w*) as (?!_\b)(\w+)")


@pytest.fixture(autouse=True)
def _in_english(in_english):
    yield


def test_translation_functions_are_only_imported_under_names_makemessages_reads():
    offenders = []
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {".venv", "node_modules", "tests", "migrations", ".git"}:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ALIAS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_service_loop_templates_have_no_inline_styles_the_csp_would_refuse():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in LOOP_TEMPLATES
        for path in (ROOT / folder).rglob("*.html")
        if re.search(r"<style|\sstyle=", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_lists_of_check_boxes_keep_the_check_box_look():
    class Form(forms.Form):
        name = forms.CharField()
        days = forms.MultipleChoiceField(choices=[("1", "1")], widget=forms.CheckboxSelectMultiple)

    form = Form()
    style_fields(form)
    assert form.fields["name"].widget.attrs["class"] == "form-control"
    assert "class" not in form.fields["days"].widget.attrs


@pytest.mark.django_db
def test_the_engineer_form_calls_the_team_a_service_team():
    assert str(EngineerForm().fields["team"].label) == "Service team"


@pytest.mark.django_db
def test_a_ticket_without_sla_targets_says_so(client):
    client.force_login(UserFactory(roles=["service"]))
    ticket = TicketFactory(first_response_due=None, resolution_due=None)
    body = client.get(reverse("service:ticket_detail", args=[ticket.pk])).content.decode()
    assert 'data-testid="sla-none"' in body


@pytest.mark.django_db
def test_the_survey_list_links_the_customer_and_the_follow_up_ticket(client):
    client.force_login(UserFactory(roles=["service"]))
    follow_up = TicketFactory()
    survey = SurveyFactory(customer=follow_up.customer, follow_up=follow_up, state="answered", score=3)
    body = client.get(reverse("surveys:list")).content.decode()
    assert reverse("customers:detail", args=[survey.customer_id]) in body
    assert reverse("service:ticket_detail", args=[follow_up.pk]) in body
