"""The OpenAPI schema tells the truth: what the operations answer is what the schema says."""

import json
from decimal import Decimal

import jsonschema
import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework.utils.encoders import JSONEncoder

# One worker builds the module's fixture once (``--dist loadgroup``).
pytestmark = pytest.mark.xdist_group("api-schema")


def test_openapi_schema_generates_without_warnings(tmp_path):
    """Every endpoint is typed: a schema warning (which check --deploy turns into a failure)
    fails here first."""
    try:
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    except SystemExit as exc:  # --fail-on-warn exits non-zero
        pytest.fail(f"schema generation reported warnings (exit {exc.code})")
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


@pytest.fixture(scope="module")
def document():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(generated, cls=JSONEncoder))


def _json_schema(node):
    """OpenAPI 3.0's ``nullable`` as JSON Schema's null type, everywhere in ``node``."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def assert_answers_as_documented(document, response, method, path):
    """The response's status is documented for the operation and its body has that schema."""
    responses = document["paths"][path][method.lower()]["responses"]
    assert str(response.status_code) in responses, (response.status_code, response.content[:300])
    documented = responses[str(response.status_code)]["content"]["application/json"]["schema"]
    schema = {**_json_schema(documented), "components": _json_schema(document["components"])}
    jsonschema.validate(response.json(), schema)


def _operation(document, method, path):
    return document["paths"][path][method.lower()]


# --- every operation's errors -------------------------------------------------------------------


def test_every_operation_documents_the_errors_it_can_answer_in_the_error_shape(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = operation["responses"]
            public = path == "/api/v1/auth/token/"
            expected = {"429"} if public else {"401", "403", "429"}
            if "{" in path or method != "get":
                expected.add("404")
            if method in {"post", "put", "patch", "delete"}:
                expected |= {"400"} if public else {"400", "409"}
            if method in {"post", "put", "patch"}:
                expected.add("415")
            assert expected <= set(codes), (method, path, sorted(codes))
            for code in expected:
                ref = codes[code]["content"]["application/json"]["schema"]["$ref"]
                component = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
                if code == "400":
                    assert ref == "#/components/schemas/ValidationError", (method, path)
                else:  # the error shape, or an operation's own with the same detail
                    assert "detail" in component["properties"], (method, path, code)


def test_validation_error_shape_accepts_field_errors_and_rejects_a_bare_list(document):
    schema = {"$ref": "#/components/schemas/ValidationError", "components": document["components"]}
    jsonschema.validate({"quantity": ["Must be positive."], "lines": [{}, {"product": ["Unknown."]}]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(["a bare message"], schema)


def test_lists_document_a_bad_query_and_a_missing_page(document):
    codes = _operation(document, "get", "/api/v1/customers/")["responses"]
    assert {"400", "404"} <= set(codes)


def test_a_declared_error_reason_keeps_its_words_and_gets_the_error_body(document):
    conflict = _operation(document, "post", "/api/v1/event-deliveries/{id}/replay/")["responses"]["409"]
    assert conflict["description"]
    assert conflict["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


# --- nullable fields ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("ShipmentLine", "lot_number"),
        ("AuditLog", "actor"),
        ("Product", "on_hand"),
        ("Product", "available"),
    ],
)
def test_fields_that_can_be_null_are_marked_nullable(document, component, field):
    assert document["components"]["schemas"][component]["properties"][field].get("nullable") is True


@pytest.mark.django_db
def test_a_created_product_answers_as_documented_with_its_stock_not_yet_counted(document, admin_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(admin_user)
    response = client.post("/api/v1/inventory/products/", {"sku": "NEW-1", "name": "New"}, format="json")
    assert response.json()["on_hand"] is None
    assert_answers_as_documented(document, response, "post", "/api/v1/inventory/products/")


@pytest.mark.django_db
def test_an_audit_entry_without_actor_answers_as_documented(document, admin_user):
    from rest_framework.test import APIClient

    from core.models import AuditLog

    AuditLog.objects.create(action="system.check", object_type="system", object_id="1")
    client = APIClient()
    client.force_authenticate(admin_user)
    response = client.get("/api/v1/audit-log/")
    assert response.json()["results"][0]["actor"] is None
    assert_answers_as_documented(document, response, "get", "/api/v1/audit-log/")


# --- operations whose answers were documented wrong ------------------------------------------------


@pytest.fixture
def sales_api(sales_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(sales_user)
    return client


@pytest.mark.django_db
def test_availability_is_documented_as_the_plain_list_it_answers(document, sales_api):
    from tests.integration.fulfilment.factories import receive
    from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

    product = ProductFactory()
    receive(product, WarehouseFactory(), Decimal("5"))
    path = "/api/v1/inventory/products/{id}/availability/"
    response = sales_api.get(path.format(id=product.pk))
    assert response.json()[0]["available"] == "5.000"
    assert_answers_as_documented(document, response, "get", path)
    assert [p["name"] for p in _operation(document, "get", path)["parameters"]] == ["id", "quantity"]


@pytest.mark.django_db
def test_notifications_read_is_documented_as_the_count_it_answers(document, sales_api):
    response = sales_api.post("/api/v1/notifications/read/", {"ids": [1, 2]}, format="json")
    assert response.json() == {"marked": 0}
    assert_answers_as_documented(document, response, "post", "/api/v1/notifications/read/")
    request = _operation(document, "post", "/api/v1/notifications/read/")["requestBody"]
    assert request["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NotificationsRead"
    }


@pytest.mark.django_db
def test_closing_an_opportunity_is_documented_as_the_opportunity_it_answers(document, sales_api, sales_user):
    from tests.crm.sales.factories import OpportunityFactory

    opportunity = OpportunityFactory(customer__owner=sales_user)
    path = "/api/v1/opportunities/{id}/close/"
    response = sales_api.post(path.format(id=opportunity.pk), {"won": True, "reason": "price"}, format="json")
    assert response.json()["state"] == "won"
    assert_answers_as_documented(document, response, "post", path)


@pytest.mark.django_db
def test_converting_a_lead_is_documented_as_the_201_it_answers(document, sales_api, sales_user):
    from tests.crm.sales.factories import LeadFactory

    lead = LeadFactory(owner=sales_user)
    path = "/api/v1/leads/{id}/convert/"
    response = sales_api.post(path.format(id=lead.pk), {}, format="json")
    assert response.status_code == 201
    assert_answers_as_documented(document, response, "post", path)


def test_completing_a_task_is_documented_without_a_body(document):
    assert "requestBody" not in _operation(document, "post", "/api/v1/activities/{id}/done/")


def test_the_order_timeline_documents_no_order_filters(document):
    parameters = _operation(document, "get", "/api/v1/sales-orders/{id}/timeline/")["parameters"]
    assert [p["name"] for p in parameters] == ["id", "page", "page_size"]


@pytest.fixture
def manager_api(manager_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(manager_user)
    return client


@pytest.mark.django_db
def test_patching_a_customer_to_no_owner_answers_every_documented_field(document, manager_api):
    from tests.crm.customers.factories import CustomerFactory

    customer = CustomerFactory()
    path = "/api/v1/customers/{id}/"
    response = manager_api.patch(path.format(id=customer.pk), {"owner": None}, format="json")
    assert response.json()["owner_name"] == ""
    assert_answers_as_documented(document, response, "patch", path)


@pytest.mark.django_db
def test_patching_a_product_answers_every_documented_field(document, admin_user):
    from rest_framework.test import APIClient

    from tests.scm.inventory.factories import ProductFactory

    client = APIClient()
    client.force_authenticate(admin_user)
    path = "/api/v1/inventory/products/{id}/"
    response = client.patch(path.format(id=ProductFactory().pk), {"name": "Renamed"}, format="json")
    assert "on_hand" in response.json()
    assert_answers_as_documented(document, response, "patch", path)


@pytest.mark.django_db
def test_a_bad_search_answers_its_message_in_the_documented_error_shape(document, sales_api):
    response = sales_api.get("/api/v1/customers/", {"search": "a\x00b"})
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert_answers_as_documented(document, response, "get", "/api/v1/customers/")


@pytest.mark.django_db
def test_a_body_of_an_unread_content_type_answers_the_documented_415(document, sales_api):
    response = sales_api.post("/api/v1/notifications/read/", "ids", content_type="text/plain")
    assert response.status_code == 415
    assert_answers_as_documented(document, response, "post", "/api/v1/notifications/read/")


@pytest.mark.django_db
def test_a_report_period_that_is_no_date_answers_the_documented_400(document, admin_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(admin_user)
    response = client.get("/api/v1/receivables/aging/", {"as_of": "2026-02-31"})
    assert response.status_code == 400
    assert_answers_as_documented(document, response, "get", "/api/v1/receivables/aging/")
