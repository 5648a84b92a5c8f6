from core.events.models import Delivery, Notification


def notifications_for(*, user):
    return Notification.objects.filter(user=user)


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def deliveries_list(*, state: str | None = None):
    qs = Delivery.objects.select_related("event")
    if state:
        qs = qs.filter(state=state)
    return qs
