"""Pages of the set-up templates (joined by ``integration.setup.urls`` in the ``setup`` namespace)."""

urlpatterns: list = []
