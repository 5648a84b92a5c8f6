"""After-sales quality pages."""

from django.urls import path

from integration.aftersales import views

app_name = "aftersales"
urlpatterns = [
    path("lots/<int:pk>/trace/", views.lot_trace_page, name="lot_trace"),
    path("lots/<int:pk>/hold/", views.lot_hold, name="lot_hold"),
    path("lots/<int:pk>/release/", views.lot_release, name="lot_release"),
    path("lots/<int:pk>/recall/", views.lot_recall, name="lot_recall"),
    path("holds/", views.hold_list, name="holds"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/hold/", views.alert_hold, name="alert_hold"),
    path("alerts/<int:pk>/close/", views.alert_close, name="alert_close"),
    path("recalls/", views.recall_list, name="recalls"),
    path("recalls/<int:pk>/", views.recall_detail, name="recall_detail"),
    path("recalls/<int:pk>/export/", views.recall_export, name="recall_export"),
    path("recalls/<int:pk>/close/", views.recall_close, name="recall_close"),
    path(
        "recalls/<int:pk>/customers/<int:row>/state/",
        views.recall_customer_state,
        name="recall_customer_state",
    ),
]
