"""URLs. Each app owns its ``urls.py`` (pages) and ``api.py`` (a ``router`` for /api/v1/)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from core import api as core_api
from core import views as core_views
from integration.events import api as events_api

# Each app's api.py defines a DRF ``router``; the API root joins them in this order.
api_router = DefaultRouter()
for app_api in [core_api, events_api]:
    api_router.registry.extend(app_api.router.registry)

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    path("api/v1/me/", core_api.MeView.as_view(), name="api-me"),
    path("api/v1/", include(api_router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
    path("events/", include("integration.events.urls")),
]

handler403 = "core.views.permission_denied"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
