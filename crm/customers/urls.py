from django.urls import path

from crm.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("import/", views.import_page, name="import"),
    path("import/<uuid:pk>/", views.import_status, name="import_status"),
    path("contacts/export/", views.contacts_export, name="contacts_export"),
    path("duplicates/", views.merge_list, name="merge_list"),
    path("duplicates/<int:pk>/", views.merge_do, name="merge_do"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/contacts/new/", views.contact_edit, name="contact_create"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_edit, name="contact_edit"),
]
