"""Purchasing pages. Receiving's are in ``receiving_urls``."""

from scm.purchasing.receiving_urls import urlpatterns as receiving_urlpatterns

app_name = "purchasing"
urlpatterns = [
    *receiving_urlpatterns,
]
