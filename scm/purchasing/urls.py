"""Purchasing pages. (Suppliers' pages are in ``supplier_urls``; purchase orders' join here.)"""

from scm.purchasing import supplier_urls

app_name = "purchasing"
urlpatterns = [*supplier_urls.urlpatterns]
