"""The set-up API under /api/v1/ (admin only): templates, company profile, users and roles,
imports. Each subject registers its viewsets on this router from its own module."""

from rest_framework.routers import DefaultRouter

from integration.setup import templates_api, users_api

router = DefaultRouter()
router.include_format_suffixes = False
router.registry.extend(users_api.router.registry)
router.registry.extend(templates_api.router.registry)
