"""Tests that share an expensive module fixture (the demo company) are kept on one test worker by
an ``xdist_group`` mark and ``make test``'s ``--dist loadgroup``. pytest-xdist carries the group
to its scheduler in the test's id; pytest 9.2 stopped honouring that (pytest-xdist issue #1386),
and every group was then spread over the workers, each loading the fixture again."""

import pytest

pytestmark = pytest.mark.xdist_group("groups-check")


def test_a_grouped_test_reaches_the_scheduler_with_its_group(request):
    # Set on the test workers of a run with --dist loadgroup.
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("only a run with --dist loadgroup (make test) groups tests")
    assert request.node.nodeid.endswith("@groups-check")
