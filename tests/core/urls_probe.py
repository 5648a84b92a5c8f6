"""Test-only routes that drive the shared layers (permissions, conflict handling) the way a
module's pages and API will: a list/create page and API closed to sales, and a service that
always meets a serialization failure."""

from django.db import OperationalError
from django.http import HttpResponse
from django.urls import include, path
from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from config.urls import urlpatterns as project_urlpatterns
from core.db import atomic_with_retry
from core.events.models import Event
from core.permissions import role_required
from core.roles import ADMIN, MANAGER

attempts = {"count": 0, "fail_times": 0}


class SerializationFailure(Exception):
    sqlstate = "40001"


@atomic_with_retry(retries=2)
def contended_write():
    attempts["count"] += 1
    Event.objects.create(name="probe.contended")
    if attempts["count"] <= attempts["fail_times"]:
        raise OperationalError("could not serialize access") from SerializationFailure()


def contended_page(request):
    contended_write()
    return HttpResponse("written")


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["id", "name", "payload"]


class ProbeViewSet(viewsets.ModelViewSet):
    serializer_class = EventSerializer
    allowed_roles = (MANAGER, ADMIN)
    write_roles = (ADMIN,)

    def get_queryset(self):
        return Event.objects.all()

    def perform_create(self, serializer):
        serializer.save()

    def contended(self, request):
        contended_write()
        return HttpResponse("written")


@role_required(MANAGER, ADMIN)
def probe_list(request):
    return HttpResponse(", ".join(Event.objects.values_list("name", flat=True)))


router = DefaultRouter()
router.register("probe", ProbeViewSet, basename="probe")
contended_api = ProbeViewSet.as_view({"post": "contended"})

urlpatterns = [
    path("probe/list/", probe_list),
    path("probe/contended/", contended_page),
    path("api/probe/contended/", contended_api),
    path("api/", include(router.urls)),
    *project_urlpatterns,
]
