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


class SetupProgress(models.Model):
    """How far the set-up wizard has come (one row, pk 1): each step's state by its key (a step
    not named is still to do), the step the admin was last on, when the set-up started and when
    the admin finished it. The steps themselves are declarations in ``integration.setup.wizard``;
    a step that is declared later simply starts as to do."""

    class State(models.TextChoices):
        TODO = "todo", _("To do")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")

    states = models.JSONField(_("step states"), default=dict, blank=True)
    current = models.CharField(_("current step"), max_length=40, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("set-up progress")
        verbose_name_plural = _("set-up progress")

    def __str__(self):
        return "set-up"

    def state_of(self, key: str) -> str:
        state = (self.states or {}).get(key)
        return state if state in self.State.values else self.State.TODO
