"""Purchasing pages: purchase orders here, suppliers' pages in ``supplier_urls``, receiving's in
``receiving_urls``."""

from django.urls import path

from scm.purchasing import receiving_urls, supplier_urls, views

app_name = "purchasing"
urlpatterns = [
    path("today/", views.today, name="today"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/line-fill/", views.line_fill, name="line_fill"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/pdf/", views.order_pdf, name="order_pdf"),
    path("orders/<int:pk>/submit/", views.order_submit, name="order_submit"),
    path("orders/<int:pk>/approve/", views.order_approve, name="order_approve"),
    path("orders/<int:pk>/reject/", views.order_reject, name="order_reject"),
    path("orders/<int:pk>/send/", views.order_send, name="order_send"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/close/", views.order_close, name="order_close"),
    path("orders/<int:pk>/lines/add/", views.order_line_add, name="order_line_add"),
    path("orders/<int:pk>/lines/<int:line_pk>/", views.order_line_update, name="order_line_update"),
    path("orders/<int:pk>/lines/<int:line_pk>/remove/", views.order_line_remove, name="order_line_remove"),
]

urlpatterns += [*supplier_urls.urlpatterns, *receiving_urls.urlpatterns]
