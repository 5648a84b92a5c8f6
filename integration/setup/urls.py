"""Set-up pages under /setup/: the wizard, industry templates, users and roles. Each subject
keeps its own url module; this one joins them in the ``setup`` namespace."""

from integration.setup import templates_urls, users_urls, wizard_urls

app_name = "setup"
urlpatterns = [*wizard_urls.urlpatterns, *templates_urls.urlpatterns, *users_urls.urlpatterns]
