from django.urls import path

from finance import import_views, views
from finance.payables import views as payables

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
    path("import/", import_views.import_page, name="import"),
    path("import/<uuid:pk>/", import_views.import_status, name="import_status"),
    # payables
    path("payables/bills/", payables.bill_list, name="bill_list"),
    path("payables/bills/new/", payables.bill_create, name="bill_create"),
    path("payables/bills/billable-lines/", payables.bill_billable_lines, name="bill_billable_lines"),
    path("payables/bills/<int:pk>/", payables.bill_detail, name="bill_detail"),
    path(
        "payables/bills/<int:pk>/accept-mismatch/", payables.bill_accept_mismatch, name="bill_accept_mismatch"
    ),
    path("payables/bills/<int:pk>/cancel/", payables.bill_cancel, name="bill_cancel"),
    path("payables/bills/<int:pk>/credit-note/", payables.bill_credit_note, name="bill_credit_note"),
    path("payables/payments/", payables.supplier_payment_list, name="supplier_payment_list"),
    path("payables/payments/new/", payables.supplier_payment_create, name="supplier_payment_create"),
    path("payables/payments/payable-bills/", payables.supplier_payment_bills, name="supplier_payment_bills"),
    path("payables/aging/", payables.ap_aging, name="ap_aging"),
    path(
        "payables/suppliers/<int:supplier_id>/statement/",
        payables.supplier_statement,
        name="supplier_statement",
    ),
    path("payables/suppliers/<int:supplier_id>/net/", payables.supplier_net, name="supplier_net"),
]
