"""Links the lot page offers to modules above inventory (the batch trace of
``integration.aftersales``), registered from their ``AppConfig.ready``; inventory never imports
them."""

from dataclasses import dataclass

from core.roles import EVERYONE, has_role


@dataclass(frozen=True)
class LotLink:
    key: str
    label: str
    url_name: str  # reversed with the lot's id
    roles: tuple[str, ...] = EVERYONE


_links: dict[str, LotLink] = {}


def register(key: str, label, url_name: str, roles=EVERYONE) -> None:
    _links[key] = LotLink(key, label, url_name, tuple(roles))


def links_for(lot, user) -> list[dict]:
    from django.urls import reverse

    return [
        {"label": link.label, "url": reverse(link.url_name, args=[lot.pk])}
        for link in sorted(_links.values(), key=lambda item: item.key)
        if has_role(user, link.roles)
    ]
