"""How Tandem writes a person's name: ``display_name`` is the one rule, wherever a person is shown
(pages, PDFs, e-mails, notifications, exports, the API's ``*_name`` fields). The user name is the
login and appears only where a login is meant (sign-in, the admin's user pages, the API's
``username`` of a user). ``install_user_str`` makes ``str(user)`` the shown name, so a form's
choice of users, ``{{ order.owner }}`` in a template, an audit entry and an export cell follow
the rule without a filter. Lists of people sort by ``NAME_ORDER`` (the name's pinyin, kept in
``core.models.PersonName`` by ``person_name_sync`` on every save of a user)."""

# The lookup, from a user, that sorts people by the pinyin of their shown name (阿强, 李娜, 王芳,
# 张伟); ``name_order("owner")`` is the same from a record's user field.
NAME_ORDER = "person_name__search_pinyin"


def name_order(field: str = "") -> str:
    """The ``order_by`` lookup sorting by the pinyin of the person in ``field`` ("" for a user
    queryset itself, "-owner" for a descending sort by the owner)."""
    descending = field.startswith("-")
    field = field.lstrip("-")
    lookup = f"{field}__{NAME_ORDER}" if field else NAME_ORDER
    return f"-{lookup}" if descending else lookup


def users_by_name(queryset):
    """``queryset`` of users in the order people are listed: by the pinyin of their name."""
    return queryset.order_by(NAME_ORDER, "pk")


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def display_name(user) -> str:
    """A user's name as people write it: 张伟 (family name first, no space) for Chinese names,
    "Wei Zhang" otherwise; the user name when no name is set."""
    if user is None:
        return ""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last and (_is_cjk(first) or _is_cjk(last)):
        return f"{last}{first}"
    return user.get_full_name() or user.get_username()


def people_by_name(users) -> dict:
    """``users`` by what a person or a file names them with, lower-cased: the shown name (what
    every export writes, so an exported file imports back) and the user name (the login). A
    name two people share is left out: such a row must give the login."""
    found, by_name = {}, {}
    for user in users:
        found[user.get_username().lower()] = user
        by_name.setdefault(display_name(user).lower(), []).append(user)
    for name, same in by_name.items():
        if len(same) == 1:
            found.setdefault(name, same[0])
    return found


def person_name_sync(user) -> None:
    """Keep the user's ``PersonName`` (shown name, pinyin, initials) in step with the user row."""
    from core.models import PersonName
    from core.search import search_columns

    name = display_name(user)
    pinyin, initials, _normalized = search_columns(name)
    PersonName.objects.update_or_create(
        user_id=user.pk,
        defaults={"full_name": name, "search_pinyin": pinyin, "search_initials": initials},
    )


def _on_user_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        person_name_sync(instance)


def _user_str(user) -> str:
    return display_name(user)


def install_user_str() -> None:
    """``str(user)`` is the shown name (``display_name``), not the login (Django's default)."""
    from django.contrib.auth import get_user_model

    get_user_model().add_to_class("__str__", _user_str)


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_save

    post_save.connect(_on_user_saved, sender=get_user_model(), dispatch_uid="core.person_name_sync")


def person_row(user) -> dict:
    """A user as a picker row (``core.pickers``): the name people write, never the user name."""
    return {"id": user.pk, "text": display_name(user), "secondary": user.email or ""}


def people_search(
    *,
    query: str,
    roles=(),
    include_inactive: bool = False,
    limit: int = 20,
    users=None,
    secondary: str = "user__email",
) -> list[dict]:
    """Active users found by name, pinyin or initials ("zw", "zhangwei", "张伟"), as picker rows
    sorted by pinyin; ``roles``: only users holding one of them (their groups, as the forms'
    querysets read them); ``include_inactive``: people who left too (whose records are handed
    over); ``users``: only these (a queryset of users: an app's own people, its engineers);
    ``secondary``: the field shown under the name (the e-mail address; the engineer's team).
    One query whatever the number of users."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    from core.models import PersonName
    from core.search import search_filter

    qs = PersonName.objects.all() if include_inactive else PersonName.objects.filter(user__is_active=True)
    if roles:
        groups = get_user_model().groups.through.objects.filter(
            user_id=OuterRef("user_id"), group__name__in=list(roles)
        )
        qs = qs.filter(Exists(groups))
    if users is not None:
        qs = qs.filter(user__in=users.values("pk"))
    if query:
        qs = qs.filter(search_filter(query, name="full_name", code=None, phone=None, email=None))
    rows = qs.order_by("search_pinyin", "user_id").values_list("user_id", "full_name", secondary)[:limit]
    return [{"id": pk, "text": name, "secondary": second or ""} for pk, name, second in rows]
