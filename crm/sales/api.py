from rest_framework.routers import DefaultRouter

from crm.sales import order_api

router = DefaultRouter()
router.registry.extend(order_api.router.registry)
