"""Purchasing's API (``router``, joined under /api/v1/). Suppliers' routes are in
``supplier_api``; purchase orders' join here."""

from rest_framework.routers import DefaultRouter

from scm.purchasing import supplier_api

router = DefaultRouter()
router.registry.extend(supplier_api.router.registry)
