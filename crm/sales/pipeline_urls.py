from django.urls import path

from crm.sales import pipeline_views as views

urlpatterns = [
    path("contact/", views.lead_public, name="lead_public"),
    path("contact/products/", views.lead_public_products, name="lead_public_products"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", views.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/convert/", views.lead_convert, name="lead_convert"),
    path("activities/new/", views.activity_add, name="activity_add"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("pipeline/", views.board, name="board"),
    path("opportunities/new/", views.opportunity_edit, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", views.opportunity_move, name="opportunity_move"),
    path("opportunities/<int:pk>/close/", views.opportunity_close, name="opportunity_close"),
    path("forecast/", views.forecast, name="forecast"),
    path("reassign/", views.reassign, name="reassign"),
]
