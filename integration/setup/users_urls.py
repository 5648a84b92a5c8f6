"""Pages of the set-up users (joined by ``integration.setup.urls`` in the ``setup`` namespace)."""

urlpatterns: list = []
