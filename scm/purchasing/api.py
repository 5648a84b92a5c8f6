"""Purchasing's API (``router``, joined under /api/v1/). Suppliers' routes are in
``supplier_api``, receiving's in ``receiving_api``; purchase orders' join here."""

from rest_framework.routers import DefaultRouter

from scm.purchasing import receiving_api, supplier_api

router = DefaultRouter()
router.registry.extend(supplier_api.router.registry)
router.registry.extend(receiving_api.router.registry)
