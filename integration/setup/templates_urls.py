"""Pages of the set-up templates (joined by ``integration.setup.urls`` in the ``setup`` namespace)."""

from django.urls import path

from integration.setup import templates_views

urlpatterns: list = [
    path("templates/", templates_views.template_list, name="templates"),
    path("templates/<slug:key>/", templates_views.template_detail, name="template_detail"),
]
