"""Supplier pages (joined into ``scm.purchasing.urls``, namespace ``purchasing``)."""

from django.urls import path

from scm.purchasing import supplier_views as views

urlpatterns = [
    path("suppliers/", views.supplier_list, name="supplier_list"),
    path("suppliers/new/", views.supplier_create, name="supplier_create"),
    path("suppliers/import/", views.supplier_import, name="supplier_import"),
    path("suppliers/import/<uuid:pk>/", views.supplier_import_status, name="supplier_import_status"),
    path("suppliers/<int:pk>/", views.supplier_detail, name="supplier_detail"),
    path("suppliers/<int:pk>/edit/", views.supplier_edit, name="supplier_edit"),
    path("suppliers/<int:pk>/active/", views.supplier_active, name="supplier_active"),
    path("suppliers/<int:pk>/contacts/new/", views.contact_edit, name="supplier_contact_create"),
    path("suppliers/<int:pk>/contacts/<int:contact_pk>/", views.contact_edit, name="supplier_contact_edit"),
    path("suppliers/<int:pk>/products/new/", views.product_edit, name="supplier_product_create"),
    path("suppliers/<int:pk>/products/<int:item_pk>/", views.product_edit, name="supplier_product_edit"),
    path(
        "suppliers/<int:pk>/products/<int:item_pk>/preferred/",
        views.product_preferred,
        name="supplier_product_preferred",
    ),
    path(
        "suppliers/<int:pk>/products/<int:item_pk>/prices/new/",
        views.price_edit,
        name="supplier_price_create",
    ),
    path(
        "suppliers/<int:pk>/products/<int:item_pk>/prices/<int:price_pk>/",
        views.price_edit,
        name="supplier_price_edit",
    ),
]
