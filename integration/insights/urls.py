"""Insights' pages: the manager dashboard and each figure's export."""

from django.urls import path

from integration.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:key>.xlsx", views.figure_export, name="export"),
]
