from django.urls import path

from core.events import views

app_name = "events"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/bell/", views.bell, name="bell"),
    path("notifications/bell/menu/", views.bell_menu, name="bell_menu"),
    path("notifications/read/", views.mark_read, name="mark_read"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/replay/", views.replay, name="replay"),
]
