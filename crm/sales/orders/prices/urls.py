from django.urls import path

from crm.sales.orders.prices import views

app_name = "prices"
urlpatterns = [
    path("price-lists/", views.price_list_list, name="price_list_list"),
    path("price-lists/new/", views.price_list_create, name="price_list_create"),
    path("price-lists/<int:pk>/", views.price_list_detail, name="price_list_detail"),
    path("price-lists/<int:pk>/edit/", views.price_list_edit, name="price_list_edit"),
    path("promotions/", views.promotion_list, name="promotion_list"),
    path("promotions/new/", views.promotion_create, name="promotion_create"),
    path("promotions/<int:pk>/", views.promotion_detail, name="promotion_detail"),
    path("promotions/<int:pk>/edit/", views.promotion_edit, name="promotion_edit"),
    path("bulk-prices/", views.bulk_prices, name="bulk"),
]
