import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are compared in English: pages and API answer a client that asks for no language
    in ``LANGUAGE_CODE``, and services called here speak the active language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
