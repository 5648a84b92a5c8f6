"""The after-sales API's schema says what the operations answer (the fuzzer holds clients to it)."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.mark.django_db
def test_starting_a_recall_is_documented_as_201_created():
    document = SchemaGenerator().get_schema(request=None, public=True)
    responses = document["paths"]["/api/v1/aftersales/lots/{id}/recall/"]["post"]["responses"]
    assert "201" in responses and "200" not in responses
