"""Opening tickets and moving them through their states."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.events import names
from core.events.models import Event
from core.models import AuditLog
from crm.service import services
from crm.service.models import Category, Ticket, TicketEvent, TicketPhoto
from tests.crm.customers.factories import ContactFactory, CustomerFactory, RegionFactory
from tests.crm.service.factories import EngineerFactory, ServiceTeamFactory, image_file, lot_of, order_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return UserFactory(roles=["service"])


def _open(customer=None, **kwargs):
    kwargs.setdefault("category", Category.QUESTION)
    kwargs.setdefault("subject", "打印机卡纸")
    return services.ticket_open(customer=customer or CustomerFactory(), **kwargs)


def test_a_ticket_is_numbered_and_publishes_ticket_opened(desk):
    ticket = _open(user=desk)
    assert ticket.number.startswith("TK-")
    event = Event.objects.get(name=names.TICKET_OPENED)
    assert event.payload == {
        "ticket_id": ticket.pk,
        "customer_id": ticket.customer_id,
        "category": "question",
        "product_id": None,
        "lot_id": None,
    }
    assert TicketEvent.objects.filter(ticket=ticket, kind="opened").exists()
    assert ticket.first_response_due and ticket.resolution_due


def test_a_lot_never_shipped_to_the_customer_is_refused(shipped, in_english):
    customer, other = CustomerFactory(), CustomerFactory()
    lot = lot_of()
    shipped(other, lot)
    with pytest.raises(ValidationError) as exc:
        _open(customer, lot=lot, category=Category.QUALITY)
    assert "was never shipped to this customer" in exc.value.message_dict["lot"][0]
    assert not Ticket.objects.exists()


def test_a_shipped_lot_sets_product_shipment_and_order(shipped):
    customer = CustomerFactory()
    lot = lot_of()
    order = order_of(customer, lot.product)
    shipped(customer, lot, order=order)
    ticket = _open(customer, lot=lot, category=Category.QUALITY)
    assert (ticket.product, ticket.shipment_id, ticket.order) == (lot.product, 777, order)
    assert str(ticket.shipped_on) == "2026-03-02"
    assert Event.objects.get(name=names.TICKET_OPENED).payload["lot_id"] == lot.pk


def test_a_lot_of_another_product_is_refused(shipped):
    from tests.scm.inventory.factories import ProductFactory

    customer = CustomerFactory()
    lot = lot_of()
    shipped(customer, lot)
    with pytest.raises(ValidationError) as exc:
        _open(customer, lot=lot, product=ProductFactory())
    assert "product" in exc.value.message_dict


def test_a_contact_or_order_of_another_customer_is_refused():
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as exc:
        _open(customer, contact=ContactFactory(), order=order_of(CustomerFactory()))
    assert set(exc.value.message_dict) == {"contact", "order"}


def test_the_states_run_from_new_to_closed(desk):
    ticket = _open()
    for action, state in [
        ("start", "in_progress"),
        ("wait", "waiting"),
        ("resume", "in_progress"),
        ("resolve", "resolved"),
        ("close", "closed"),
    ]:
        ticket = services.ticket_transition(ticket=ticket, action=action, user=desk)
        assert ticket.state == state
    assert ticket.first_response_at and ticket.resolved_at and ticket.closed_at
    assert Event.objects.get(name=names.TICKET_CLOSED).payload == {
        "ticket_id": ticket.pk,
        "customer_id": ticket.customer_id,
    }


def test_closing_twice_is_refused_on_state(desk, in_english):
    ticket = _open()
    services.ticket_transition(ticket=ticket, action="resolve", user=desk)
    services.ticket_transition(ticket=ticket, action="close", user=desk)
    with pytest.raises(ValidationError) as exc:
        services.ticket_transition(ticket=ticket, action="close", user=desk)
    assert "Closed" in exc.value.message_dict["state"][0]
    assert Event.objects.filter(name=names.TICKET_CLOSED).count() == 1


def test_reopen_counts_and_clears_resolved_and_closed(desk):
    ticket = _open()
    services.ticket_transition(ticket=ticket, action="resolve", user=desk)
    services.ticket_transition(ticket=ticket, action="close", user=desk)
    ticket = services.ticket_transition(ticket=ticket, action="reopen", user=desk)
    assert (ticket.state, ticket.reopen_count, ticket.resolved_at, ticket.closed_at) == ("new", 1, None, None)


def test_the_first_comment_is_the_first_response(desk):
    ticket = _open()
    services.ticket_comment(ticket=ticket, text="已收到,正在处理", user=desk)
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None


def test_reassignment_is_audited_and_on_the_timeline(desk):
    first, second = EngineerFactory(), EngineerFactory()
    ticket = _open()
    services.ticket_assign(ticket=ticket, assignee=first.user, user=desk)
    ticket = services.ticket_assign(ticket=ticket, assignee=second.user, user=desk)
    assert (ticket.assignee, ticket.team, ticket.state) == (second.user, second.team, "assigned")
    log = AuditLog.objects.get(action="ticket.reassigned")
    assert log.data == {"from": first.user_id, "to": second.user_id, "team": second.team_id}
    assert TicketEvent.objects.filter(ticket=ticket, kind="assigned").count() == 2


def test_assigning_someone_who_is_not_an_engineer_is_refused(desk):
    with pytest.raises(ValidationError) as exc:
        services.ticket_assign(ticket=_open(), assignee=desk, user=desk)
    assert "assignee" in exc.value.message_dict


def test_a_quality_complaint_is_confirmed_once(desk):
    ticket = services.ticket_confirm_quality(ticket=_open(category=Category.QUALITY), user=desk)
    assert ticket.quality_confirmed_at is not None
    with pytest.raises(ValidationError):
        services.ticket_confirm_quality(ticket=ticket, user=desk)
    with pytest.raises(ValidationError) as exc:
        services.ticket_confirm_quality(ticket=_open(), user=desk)
    assert "category" in exc.value.message_dict


def test_a_photo_is_stored_with_its_type(desk, media):
    photo = services.ticket_photo_add(ticket=_open(), image=image_file(), user=desk)
    assert (photo.content_type, photo.size > 0) == ("image/png", True)


def test_a_file_that_is_not_an_image_is_refused(desk, media, in_english):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        services.ticket_photo_add(ticket=_open(), image=fake, user=desk)
    assert exc.value.message_dict["image"] == ["The file is not an image."]
    assert not TicketPhoto.objects.exists()


def test_a_gif_is_refused(desk, media):
    with pytest.raises(ValidationError) as exc:
        services.ticket_photo_add(ticket=_open(), image=image_file("a.gif", "GIF"), user=desk)
    assert "image" in exc.value.message_dict


def test_a_too_large_image_is_refused(desk, media, settings, in_english):
    settings.SERVICE_PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        services.ticket_photo_add(ticket=_open(), image=image_file(size=(300, 300)), user=desk)
    assert "too large" in exc.value.message_dict["image"][0]


def test_photos_given_at_open_are_kept_and_a_bad_one_writes_nothing(media):
    ticket = _open(photos=[image_file()])
    assert ticket.photos.count() == 1
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as exc:
        _open(photos=[SimpleUploadedFile("x.jpg", b"\xff\xd8junk")])
    assert "photos" in exc.value.message_dict
    assert Ticket.objects.count() == 1


def test_a_guangzhou_customer_goes_to_the_shenzhen_team_and_its_least_loaded_engineer():
    south, north = RegionFactory(code="SOUTH", name="华南"), RegionFactory(code="NORTH", name="华北")
    shenzhen = ServiceTeamFactory(name="深圳", latitude=Decimal("22.543"), longitude=Decimal("114.058"))
    shenzhen.regions.add(south)
    beijing = ServiceTeamFactory(name="北京", latitude=Decimal("39.904"), longitude=Decimal("116.407"))
    beijing.regions.add(north)
    busy = EngineerFactory(team=shenzhen)
    free = EngineerFactory(team=shenzhen)
    EngineerFactory(team=beijing)
    services.ticket_assign(ticket=_open(), assignee=busy.user, user=None)
    guangzhou = CustomerFactory(region=south, latitude=Decimal("23.129"), longitude=Decimal("113.264"))
    ticket = _open(guangzhou, category=Category.INSTALLATION)
    assert (ticket.team, ticket.assignee, ticket.state) == (shenzhen, free.user, "assigned")


def test_without_a_team_for_the_region_the_nearest_team_takes_it():
    shenzhen = ServiceTeamFactory(name="深圳", latitude=Decimal("22.543"), longitude=Decimal("114.058"))
    ServiceTeamFactory(name="北京", latitude=Decimal("39.904"), longitude=Decimal("116.407"))
    guangzhou = CustomerFactory(
        region=RegionFactory(code="X"), latitude=Decimal("23.129"), longitude=Decimal("113.264")
    )
    ticket = _open(guangzhou)
    assert (ticket.team, ticket.assignee, ticket.state) == (shenzhen, None, "new")


def test_an_engineer_without_the_skill_is_passed_over():
    team = ServiceTeamFactory()
    EngineerFactory(team=team, skills=["repair"])
    customer = CustomerFactory()
    ticket = _open(customer, category=Category.INSTALLATION)
    assert (ticket.team, ticket.assignee) == (team, None)


def test_a_reopened_ticket_can_breach_its_new_due_time(desk):
    from django.utils import timezone

    ticket = _open()
    Ticket.objects.filter(pk=ticket.pk).update(resolution_breached_at=timezone.now())
    services.ticket_transition(ticket=ticket, action="resolve", user=desk)
    ticket = services.ticket_transition(ticket=ticket, action="reopen", user=desk)
    assert ticket.resolution_breached_at is None and ticket.resolution_due > timezone.now()


def test_a_ticket_waiting_for_the_customer_is_not_overdue(desk):
    from datetime import timedelta

    from django.utils import timezone

    from crm.service.selectors import tickets_overdue

    waiting, running = _open(), _open()
    past = timezone.now() - timedelta(hours=1)
    Ticket.objects.filter(pk=waiting.pk).update(state="waiting", paused_at=past, resolution_due=past)
    Ticket.objects.filter(pk=running.pk).update(state="in_progress", resolution_due=past)
    assert list(tickets_overdue(Ticket.objects.all()).values_list("pk", flat=True)) == [running.pk]


def test_an_engineer_made_inactive_keeps_their_teams_scope_not_the_desks():
    from crm.service.selectors import tickets_visible_to
    from tests.crm.service.factories import TicketFactory

    engineer = EngineerFactory()
    theirs = TicketFactory(team=engineer.team)
    TicketFactory(team=ServiceTeamFactory())
    engineer.is_active = False
    engineer.save()
    assert list(tickets_visible_to(engineer.user).values_list("pk", flat=True)) == [theirs.pk]
