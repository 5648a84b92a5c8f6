from django.urls import path

from crm.service import parts_urls, views

app_name = "service"

urlpatterns = [
    path("support/", views.support, name="support"),
    path("tickets/", views.ticket_list, name="ticket_list"),
    path("tickets/new/", views.ticket_create, name="ticket_create"),
    path("tickets/lots/", views.ticket_lots, name="ticket_lots"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/move/", views.ticket_transition, name="ticket_transition"),
    path("tickets/<int:pk>/comment/", views.ticket_comment, name="ticket_comment"),
    path("tickets/<int:pk>/assign/", views.ticket_assign, name="ticket_assign"),
    path("tickets/<int:pk>/confirm-quality/", views.ticket_confirm_quality, name="ticket_confirm_quality"),
    path("tickets/<int:pk>/photos/", views.ticket_photo_add, name="ticket_photo_add"),
    path("tickets/<int:pk>/photos/<int:photo_pk>/", views.ticket_photo, name="ticket_photo"),
    path("tickets/<int:pk>/visits/", views.visit_book, name="visit_book"),
    path("tickets/<int:pk>/visits/<int:visit_pk>/done/", views.visit_complete, name="visit_complete"),
    path("tickets/<int:pk>/visits/<int:visit_pk>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("sla/", views.sla_settings, name="sla_settings"),
    path("teams/", views.teams, name="teams"),
    *parts_urls.urlpatterns,
]
