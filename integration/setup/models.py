from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoStep(models.Model):
    """A demo-data step that has run, so that loading the demo twice adds nothing twice."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("demo step")
        verbose_name_plural = _("demo steps")

    def __str__(self):
        return self.name
