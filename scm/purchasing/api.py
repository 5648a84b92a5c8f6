"""Purchasing API router (/api/v1/). Receiving's routes are in ``receiving_api``."""

from rest_framework.routers import DefaultRouter

from scm.purchasing import receiving_api

router = DefaultRouter()
router.registry.extend(receiving_api.router.registry)
