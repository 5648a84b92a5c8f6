"""Receiving pages (included by ``scm.purchasing.urls``)."""

from django.urls import path

from scm.purchasing import receiving_views as views

urlpatterns = [
    path("receiving/", views.tablet_start, name="receiving_tablet"),
    path("receiving/<int:pk>/", views.tablet_count, name="receiving_tablet_count"),
    path("receiving/<int:pk>/scan/", views.tablet_scan, name="receiving_tablet_scan"),
    path(
        "receiving/<int:pk>/lines/<int:line_pk>/remove/",
        views.tablet_remove_line,
        name="receiving_tablet_remove_line",
    ),
    path("receiving/<int:pk>/check/", views.tablet_check, name="receiving_tablet_check"),
    path("receiving/<int:pk>/post/", views.tablet_post, name="receiving_tablet_post"),
    path("receipts/", views.receipt_list, name="receipts"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt_detail"),
    path("quarantine/", views.quarantine_list, name="quarantine"),
    path("quarantine/<int:level_pk>/<slug:action>/", views.quarantine_action, name="quarantine_action"),
]
