from django.urls import path

from crm.sales.orders import line_views, quote_views, views

app_name = "orders"
urlpatterns = [
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/atp/", views.atp_partial, name="atp"),
    path("orders/line-row/", views.line_row, name="line_row"),
    path("orders/customer-info/", views.customer_info, name="customer_info"),
    path("orders/totals/", line_views.totals_partial, name="totals"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/pdf/", views.order_pdf, name="order_pdf"),
    path("quotes/", quote_views.quote_list, name="quote_list"),
    path("quotes/new/", quote_views.quote_create, name="quote_create"),
    path("quotes/<int:pk>/", quote_views.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/edit/", quote_views.quote_edit, name="quote_edit"),
    path("quotes/<int:pk>/send/", quote_views.quote_send, name="quote_send"),
    path("quotes/<int:pk>/accept/", quote_views.quote_accept, name="quote_accept"),
    path("quotes/<int:pk>/cancel/", quote_views.quote_cancel, name="quote_cancel"),
    path("quotes/<int:pk>/pdf/", quote_views.quote_pdf_view, name="quote_pdf"),
]
