"""The parts pages of a ticket (``service/tickets/<id>/parts/…``)."""

from django.urls import path

from crm.service import parts_views

urlpatterns = [
    path("tickets/<int:ticket_id>/parts/", parts_views.ticket_parts, name="ticket_parts"),
    path("tickets/<int:ticket_id>/parts/add/", parts_views.ticket_part_add, name="ticket_part_add"),
    path(
        "tickets/<int:ticket_id>/parts/<int:pk>/remove/",
        parts_views.ticket_part_remove,
        name="ticket_part_remove",
    ),
    path(
        "tickets/<int:ticket_id>/parts/availability/",
        parts_views.part_availability,
        name="ticket_part_availability",
    ),
]
