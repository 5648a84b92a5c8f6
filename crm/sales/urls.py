from django.urls import include, path

app_name = "sales"
urlpatterns = [
    path("", include("crm.sales.pipeline_urls")),
    path("", include("crm.sales.orders.urls")),
    path("", include("crm.sales.orders.prices.urls")),
]
