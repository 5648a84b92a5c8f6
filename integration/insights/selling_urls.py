"""Pages of the selling loop, mounted at ``insights/selling/`` (``config.urls``) in a namespace
of their own so that insights' other pages keep ``insights/urls.py``."""

from django.urls import path

from integration.insights import selling_views

app_name = "selling"

urlpatterns = [
    path("cycles/", selling_views.cycle_list, name="cycles"),
    path("suggestions/", selling_views.form_suggestions, name="form_suggestions"),
    path("customers/<int:pk>/quote/", selling_views.quote_from_suggestion, name="quote_from_suggestion"),
]
