"""Pages of the set-up wizard (joined by ``integration.setup.urls`` in the ``setup`` namespace)."""

from django.urls import path

from integration.setup import wizard_views

urlpatterns: list = [
    path("", wizard_views.wizard_start, name="wizard"),
    path("step/<slug:key>/", wizard_views.wizard_step, name="wizard_step"),
    path("step/<slug:key>/done/", wizard_views.wizard_done, name="wizard_done"),
    path("step/<slug:key>/skip/", wizard_views.wizard_skip, name="wizard_skip"),
    path("import/<uuid:pk>/", wizard_views.wizard_import_status, name="wizard_import_status"),
    path("finish/", wizard_views.wizard_finish, name="wizard_finish"),
]
