"""The API fuzzer: schemathesis generates requests from the OpenAPI schema for every operation and
sends them to the app in-process (WSGI), with an admin's and a sales rep's token, over a database
holding the demo company (customers, products with stock, orders in every state…), so that
operations with an id in their path reach real records, not only 404s.

It fails on any 5xx and on any answer the schema does not describe (status code, content type,
body), and lists every operation that failed with the request that showed it. Examples are bounded
and derandomized: the run is the same on every machine and fits CI's time. Run by ``.ci/run``
only (``TANDEM_SLOW_CHECKS=1``)::

    TANDEM_SLOW_CHECKS=1 DATABASE_URL=... pytest -n 0 -m fuzz tests/core/test_api_fuzz.py

Locally, ``TANDEM_FUZZ_PATHS=/api/v1/service/,/api/v1/ticket-parts/`` fuzzes only the operations
under those paths, and ``TANDEM_FUZZ_ROLES=admin,sales,service,warehouse`` sends every request
with those demo users' tokens.
"""

import json
import logging
import os
import sys
import traceback

import hypothesis
import hypothesis.strategies as st
import pytest
import schemathesis
from django.core.signals import got_request_exception
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Committed, as on a live server: no test transaction around the requests; emptied afterwards.
pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

# Examples per operation and generation mode (valid, then invalid input); each is sent with every
# role's token. TANDEM_FUZZ_EXAMPLES raises it locally.
MAX_EXAMPLES = int(os.environ.get("TANDEM_FUZZ_EXAMPLES", "8"))
ROLES = tuple(r for r in os.environ.get("TANDEM_FUZZ_ROLES", "admin,sales").split(",") if r)
# Only the operations under these path prefixes (all when empty).
PATHS = tuple(p for p in os.environ.get("TANDEM_FUZZ_PATHS", "").split(",") if p)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
# Path ids: mostly among the demo's first records (real objects), else anything the schema allows.
REAL_IDS = st.integers(min_value=1, max_value=40)


@pytest.fixture
def demo_company(transactional_db):
    from integration.setup.demo import demo_load

    quiet = logging.getLogger("celery.app.trace")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        demo_load(scale=1)
    finally:
        quiet.setLevel(level)


class Tokens(dict):
    """One API token per fuzzed role (the demo's users of that name). The fuzzer also calls
    logout and token revocation: ``renew`` gives the role a new token when its own was revoked."""

    def __init__(self):
        super().__init__()
        for role in ROLES:
            self.renew(role)

    def renew(self, role):
        from django.contrib.auth import get_user_model

        from core.tokens import token_create

        self[role] = token_create(user=get_user_model().objects.get(username=role), name="api fuzzer")[1]


@pytest.fixture
def api_tokens(demo_company):
    return Tokens()


@pytest.fixture
def fuzz_settings(settings):
    # Requests without credentials or with broken ones are sent on purpose; they must answer 401,
    # not lock the test client's address out of the API.
    settings.API_TOKEN_FAILURE_LIMIT = 10**9
    settings.AXES_ENABLED = False
    # schemathesis's WSGI client asks for this host.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    return settings


def before_generate_path_parameters(context, strategy):
    """Three times in four, the path's ids are those of existing records."""
    names = [p.name for p in context.operation.path_parameters]
    if not names:
        return strategy
    real = st.fixed_dictionaries(dict.fromkeys(names, REAL_IDS))
    return st.one_of(real, real, real, strategy)


@pytest.fixture
def api_schema(fuzz_settings):
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.utils.encoders import JSONEncoder

    from config.wsgi import application

    document = SchemaGenerator().get_schema(request=None, public=True)
    # Through JSON, as a client reads it (lazy strings and decimals become plain values).
    document = json.loads(json.dumps(document, cls=JSONEncoder))
    config = schemathesis.Config.from_dict({"seed": 2026})
    loaded = schemathesis.openapi.from_dict(document, config=config)
    loaded.app = application
    loaded.hook(before_generate_path_parameters)
    return loaded


@pytest.fixture
def server_errors():
    """The exceptions behind 500 answers (each once, with the first request that raised it)."""
    seen = {}

    def remember(sender, request=None, **kwargs):
        error = sys.exc_info()[1]
        where = traceback.extract_tb(error.__traceback__)[-1]
        cause = (type(error).__name__, where.filename, where.lineno)
        found = "".join(traceback.format_exception(error, limit=-3))
        seen.setdefault(cause, f"{request.method} {request.get_full_path()[:300]}\n{found[-1500:]}")

    got_request_exception.connect(remember, weak=False)
    yield seen
    got_request_exception.disconnect(remember)


def _fuzz(operation, mode, tokens, failures, answered):
    """Sends the operation's generated requests; remembers its first failure per check and the
    status codes each role was answered."""
    seen_titles = set()

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        for role in ROLES:
            headers = {"Authorization": f"Token {tokens[role]}"}
            try:
                response = case.call(headers=headers)
                if response.status_code == 401:
                    # Revoked by an earlier request (logout, the tokens API): again with a new one.
                    case.validate_response(response, checks=CHECKS, headers=headers)
                    tokens.renew(role)
                    headers = {"Authorization": f"Token {tokens[role]}"}
                    response = case.call(headers=headers)
                answered.setdefault((operation.label, role), set()).add(response.status_code)
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    if response.status_code >= 500 and failure.title == "Undocumented status code":
                        continue  # reported as the server error it is
                    key = (failure.title, failure.message[:60])
                    if key not in seen_titles:
                        seen_titles.add(key)
                        failures.append(
                            f"{operation.label} ({role}, {mode.value}): {failure.title}\n"
                            f"  {case.as_curl_command()}\n  {failure.message[:600]}"
                        )
            except AssertionError as exc:
                key = str(exc)[:80]
                if key not in seen_titles:
                    seen_titles.add(key)
                    failures.append(f"{operation.label} ({role}, {mode.value}): {str(exc)[:800]}")

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        # Nothing to make invalid (an operation without parameters or body).
        if mode is not schemathesis.GenerationMode.NEGATIVE:
            raise


def test_every_operation_answers_as_its_schema_says(api_schema, api_tokens, server_errors):
    failures = []
    answered = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    if PATHS:
        operations = [op for op in operations if op.path.startswith(PATHS)]
        assert operations, PATHS
    else:
        assert len(operations) > 100
    for operation in operations:
        for mode in MODES:
            _fuzz(operation, mode, api_tokens, failures, answered)
    report = "\n\n".join(failures)
    if server_errors:
        report += "\n\nServer errors:\n" + "\n".join(server_errors.values())
    assert not failures, f"{len(failures)} failures\n\n{report}"
    # The requests reached real records: the admin's reads of one record mostly succeeded. (Checked
    # after the failures, which a demo without some kind of record would otherwise hide.)
    reads = [op.label for op in operations if op.method == "get" and "{" in op.path]
    found = [label for label in reads if any(200 <= code < 300 for code in answered[(label, ROLES[0])])]
    assert len(found) >= 0.8 * len(reads), sorted(set(reads) - set(found))
