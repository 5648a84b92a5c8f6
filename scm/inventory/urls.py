from django.urls import path

from scm.inventory import location_views, tablet, tablet_putaway, views

app_name = "inventory"
urlpatterns = [
    path("", views.product_list, name="products"),
    path("products/export.csv", views.product_export, name="product_export"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("import/", views.import_page, name="import"),
    path("import/<uuid:pk>/", views.import_status, name="import_status"),
    path("stock/", views.stock_overview, name="stock"),
    path("low-stock/", views.low_stock, name="low_stock"),
    path("lots/<int:pk>/", views.lot_detail, name="lot_detail"),
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/<slug:action>/", views.transfer_action, name="transfer_action"),
    path("counts/", views.count_list, name="counts"),
    path("counts/<int:pk>/", views.count_detail, name="count_detail"),
    path("counts/<int:pk>/<slug:action>/", views.count_action, name="count_action"),
    path("locations/", location_views.location_list, name="locations"),
    path("locations/new/", location_views.location_create, name="location_create"),
    path("locations/zone/", location_views.location_zone, name="location_zone"),
    path("locations/labels/", location_views.location_labels, name="location_labels"),
    path("locations/<int:pk>/", location_views.location_detail, name="location_detail"),
    path("locations/<int:pk>/edit/", location_views.location_edit, name="location_edit"),
    path("locations/<int:pk>/delete/", location_views.location_delete, name="location_delete"),
    path("tablet/receive/", tablet.receive, name="tablet_receive"),
    path("tablet/receive/scan/", tablet.receive_scan, name="tablet_receive_scan"),
    path("tablet/put-away/", tablet_putaway.put_away, name="tablet_put_away"),
    path("tablet/put-away/scan/", tablet_putaway.put_away_scan, name="tablet_put_away_scan"),
    path("tablet/transfer/", tablet.transfer_start, name="tablet_transfer_start"),
    path("tablet/transfer/<int:pk>/", tablet.transfer_scan_screen, name="tablet_transfer"),
    path("tablet/transfer/<int:pk>/scan/", tablet.transfer_scan, name="tablet_transfer_scan"),
    path("tablet/count/<int:pk>/", tablet.count_screen, name="tablet_count"),
    path("tablet/count/<int:pk>/scan/", tablet.count_scan, name="tablet_count_scan"),
]
