from django.urls import path

from integration.fulfilment import batch_views, delivery_views, picking_views, views

app_name = "fulfilment"

urlpatterns = [
    path("orders/<int:pk>/confirm/", views.order_confirm, name="order-confirm"),
    path("orders/<int:pk>/release-hold/", views.order_release_hold, name="order-release-hold"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order-cancel"),
    path("orders/<int:pk>/reserve-again/", views.order_reserve_again, name="order-reserve-again"),
    path("orders/<int:pk>/shorten/", views.order_shorten, name="order-shorten"),
    path(
        "orders/<int:pk>/lines/<int:order_line_pk>/purchase/",
        views.order_line_purchase,
        name="order-line-purchase",
    ),
    path("picking/", picking_views.picking_queue, name="picking"),
    path(
        "picking/<int:order_pk>/<int:warehouse_pk>/start/", picking_views.picking_start, name="picking-start"
    ),
    path("picking/batches/", batch_views.batch_create, name="batch-create"),
    path("picking/batches/<int:pk>/", batch_views.batch_detail, name="batch"),
    path("picking/batches/<int:pk>/scan/", batch_views.batch_scan, name="batch-scan"),
    path("picking/batches/<int:pk>/ship/", batch_views.batch_ship, name="batch-ship"),
    path("picking/batches/<int:pk>/finish/", batch_views.batch_finish, name="batch-finish"),
    path("shipments/", views.shipments, name="shipments"),
    path("shipments/<int:pk>/", picking_views.shipment_detail, name="shipment"),
    path("shipments/<int:pk>/scan/", picking_views.shipment_scan, name="shipment-scan"),
    path("shipments/<int:pk>/ship/", picking_views.shipment_ship, name="shipment-ship"),
    path("shipment-lines/<int:line_pk>/short/", picking_views.short_pick, name="short-pick"),
    path("shipments/<int:pk>/delivery-note.pdf", views.delivery_note, name="delivery-note"),
    path("shipment-lines/<int:line_pk>/return/", views.return_create, name="return-create"),
    path("returns/", views.returns, name="returns"),
    path("deliveries/confirm/", delivery_views.delivery_confirm, name="delivery-confirm"),
    path("delivered/<str:token>/", delivery_views.delivery_link, name="delivery-link"),
    path("carriers/", delivery_views.carrier_list, name="carriers"),
    path("carriers/new/", delivery_views.carrier_edit, name="carrier-create"),
    path("carriers/<int:pk>/", delivery_views.carrier_edit, name="carrier-edit"),
]
