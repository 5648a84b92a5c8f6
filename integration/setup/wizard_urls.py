"""Pages of the set-up wizard (joined by ``integration.setup.urls`` in the ``setup`` namespace)."""

urlpatterns: list = []
