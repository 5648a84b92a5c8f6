from django.urls import path

from finance import views

app_name = "finance"
urlpatterns = [
    path("", views.invoice_list, name="invoice_list"),
    path("invoices/", views.invoice_list, name="invoices"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/cancel/", views.invoice_cancel, name="invoice_cancel"),
    path("invoices/<int:pk>/credit-note/", views.credit_note_create, name="credit_note_create"),
    path("payments/", views.payment_list, name="payment_list"),
    path("payments/new/", views.payment_create, name="payment_create"),
    path("payments/open-invoices/", views.payment_open_invoices, name="payment_open_invoices"),
    path("aging/", views.aging_report, name="aging"),
    path("customers/<int:customer_id>/statement/", views.customer_statement, name="customer_statement"),
]
