from django.urls import path

from integration.aftersales import carrier_views

app_name = "carrier_figures"

urlpatterns = [path("", carrier_views.carrier_figures, name="list")]
