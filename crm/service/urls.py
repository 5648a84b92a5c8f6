"""Service pages."""

from crm.service import parts_urls

app_name = "service"

urlpatterns = [
    *parts_urls.urlpatterns,
]
