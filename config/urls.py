"""URLs. Each app owns its ``urls.py`` (pages) and ``api.py`` (a ``router`` for /api/v1/)."""

import importlib
import importlib.util

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from core import api as core_api
from core import views as core_views

# Each app owns its pages (``<app>/urls.py``, mounted at the prefix below) and its API
# (``<app>/api.py`` with a DRF ``router``, joined under /api/v1/). Apps that have neither yet are
# skipped, so a module plugs in by adding its files, not by editing this one.
APP_PREFIXES = {
    "core": "",
    "core.events": "events/",
    "crm.customers": "customers/",
    "crm.sales": "sales/",
    "crm.service": "service/",
    "scm.inventory": "inventory/",
    "scm.purchasing": "purchasing/",
    "finance": "finance/",
    "integration.fulfilment": "fulfilment/",
    "integration.rules": "rules/",
    "integration.planning": "planning/",
    "integration.aftersales": "aftersales/",
    "integration.insights": "insights/",
    "integration.setup": "setup/",
}


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


# No ``.json`` suffix routes (``?format=json`` still chooses the format): each request tries
# half as many patterns.
api_router = DefaultRouter()
api_router.include_format_suffixes = False
for app in APP_PREFIXES:
    if _has_module(f"{app}.api"):
        api_router.registry.extend(importlib.import_module(f"{app}.api").router.registry)
# Routers of subject modules that live next to an app's own ``api.py``.
EXTRA_APIS = ["integration.aftersales.carrier_api", "integration.insights.selling_api"]
for module in EXTRA_APIS:
    api_router.registry.extend(importlib.import_module(module).router.registry)

urlpatterns = (
    [
        path("healthz", core_views.healthz, name="healthz"),
        path("favicon.ico", core_views.favicon, name="favicon"),
        path("i18n/", include("django.conf.urls.i18n")),
        path("api/v1/auth/token/", core_api.TokenLoginView.as_view(), name="api-token"),
        path("api/v1/auth/logout/", core_api.TokenLogoutView.as_view(), name="api-logout"),
        path("api/v1/auth/logout-all/", core_api.TokenLogoutAllView.as_view(), name="api-logout-all"),
        path("api/v1/me/", core_api.MeView.as_view(), name="api-me"),
        path("api/v1/", include(api_router.urls)),
        path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
        # The Swagger UI page loads its start-up script from a URL (?script), not inline: the CSP holds.
        path(
            "api/v1/docs/",
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
            name="api-docs",
        ),
        path("admin/", admin.site.urls),
    ]
    + [
        path(prefix, include(f"{app}.urls"))
        for app, prefix in APP_PREFIXES.items()
        if _has_module(f"{app}.urls")
    ]
    + [
        # Pages of subject modules next to an app's own ``urls.py`` (their own namespaces).
        path("service/surveys/", include("crm.service.survey_urls")),
        # The link of an invitation (integration.setup.invites): choose a password, then sign in.
        path("accounts/set-password/", include("integration.setup.password_urls")),
        path("aftersales/carriers/", include("integration.aftersales.carrier_urls")),
        path("insights/selling/", include("integration.insights.selling_urls")),
    ]
)

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
