"""Tandem's own icon: linked from every page, and /favicon.ico (which browsers ask for on
their own) leads to it instead of a 404."""

from xml.etree import ElementTree

import pytest
from django.contrib.staticfiles import finders


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"


def test_the_icon_is_an_svg_of_our_own():
    path = finders.find("favicon.svg")
    assert path is not None
    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 32 32"


@pytest.mark.django_db
def test_pages_link_the_icon(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
