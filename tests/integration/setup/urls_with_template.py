"""The project's URLs plus a template download under the name the wizard looks for
(``import-template``), as the import module offering template files will add it."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project


def template_download(request, kind):
    return HttpResponse(kind)


urlpatterns = [*project, path("imports/template/<str:kind>/", template_download, name="import-template")]
