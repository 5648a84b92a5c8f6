from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.i18n import message_text


class Event(models.Model):
    """A fact that happened, written in the same transaction as the change that caused it."""

    name = models.CharField(_("name"), max_length=100, db_index=True)
    payload = models.JSONField(_("payload"), default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return f"{self.name} #{self.pk}"


class Delivery(models.Model):
    """One (event, handler) pair. Its state moves pending → done, or pending → dead after the
    last failed try. The handler's effect and the move to ``done`` commit together, so an event
    handled twice has the effect of once."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        DEAD = "dead", _("Dead")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    handler = models.CharField(_("handler"), max_length=200)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="delivery_event_handler_unique"),
        ]
        indexes = [
            # The sweep reads only what is still pending: keep that index small.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_pending_idx",
                condition=Q(state="pending"),
            ),
            # A dispatch task that is behind takes the oldest fresh delivery: one index step,
            # however long the backlog.
            models.Index(
                fields=["id"],
                name="delivery_fresh_idx",
                condition=Q(state="pending", next_attempt_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.handler} ({self.state})"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one user (the bell). ``title`` and ``body`` are message keys with
    their ``params`` (``core.i18n``): shown in the reader's language, whoever caused them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    params = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    url = models.CharField(_("link"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=50, blank=True)
    # Makes a notification idempotent: the same key for the same user is written once.
    key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Written past the rate limit of its kind (``NOTIFICATIONS_PER_KIND`` per user in
    # ``NOTIFICATIONS_PERIOD_SECONDS``): kept in its kind's group, never an unread row of its own.
    folded = models.BooleanField(_("folded into its group"), default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="notification_user_key_unique", condition=~Q(key="")
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_read_idx"),
            models.Index(fields=["user", "kind", "created_at"], name="notification_user_kind_idx"),
        ]

    def __str__(self):
        return self.title_text()

    def title_text(self) -> str:
        """The title in the active language."""
        return message_text(self.title, self.params)

    def body_text(self) -> str:
        """The body in the active language."""
        return message_text(self.body, self.params)
