from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.db import ConflictError
from core.events import services
from core.events.models import Delivery, Event, Notification


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = ["handler", "state", "attempts", "next_attempt_at", "last_error", "handled_at"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "created_at"]
    list_filter = ["name"]
    readonly_fields = ["name", "payload", "created_at"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "handler", "state", "attempts", "next_attempt_at"]
    list_filter = ["state", "handler"]
    list_select_related = ["event"]
    readonly_fields = ["event", "handler", "state", "attempts", "next_attempt_at", "last_error", "handled_at"]
    actions = ["replay"]

    @admin.action(description=_("Replay the selected deliveries"))
    def replay(self, request, queryset):
        replayed = 0
        for delivery in queryset:
            try:
                services.delivery_replay(delivery_id=delivery.pk, actor=request.user)
            except (ConflictError, Delivery.DoesNotExist) as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                replayed += 1
        if replayed:
            self.message_user(request, _("Deliveries queued again."), messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "title", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]
