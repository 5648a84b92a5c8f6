"""Replenishment planning's pages."""

from django.urls import path

from integration.planning import settings_views, views

app_name = "planning"
urlpatterns = [
    path("suggestions/", views.suggestion_list, name="suggestions"),
    path("suggestions/accept/", views.suggestions_accept, name="suggestions_accept"),
    path("suggestions/dismiss/", views.suggestions_dismiss, name="suggestions_dismiss"),
    path("run/", views.planning_run, name="run"),
    path("plans/", views.plan_list, name="plans"),
    path("products/<int:pk>/", views.product_plan, name="product"),
    path("products/<int:pk>/override/<int:warehouse_pk>/", views.override_set, name="override_set"),
    path("products/<int:pk>/override/<int:warehouse_pk>/clear/", views.override_clear, name="override_clear"),
    path("slow-movers/", settings_views.slow_mover_list, name="slow_movers"),
    path("service-levels/", settings_views.service_levels, name="service_levels"),
    path("service-levels/<int:pk>/", settings_views.service_level_set, name="service_level_set"),
    path("settings/", settings_views.planning_settings, name="settings"),
]
