"""Purchasing pages. (Suppliers' pages are in ``supplier_urls``, receiving's in
``receiving_urls``; purchase orders' join here.)"""

from scm.purchasing import receiving_urls, supplier_urls

app_name = "purchasing"
urlpatterns = [*supplier_urls.urlpatterns, *receiving_urls.urlpatterns]
