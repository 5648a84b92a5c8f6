"""Where a page goes after a form: a ``next`` URL from the request, followed only when it
points at this site (Django's ``url_has_allowed_host_and_scheme``, the check its login view
makes), else a fallback. Every page that follows a ``next`` (or the referrer) goes through here."""

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, url: str | None) -> str | None:
    """``url`` if it is a URL of this site (relative, or this host with an allowed scheme);
    None for anything else (another host, ``//evil``, ``javascript:``, an empty value)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def redirect_next(request, fallback, *args, url: str | None = None, **kwargs):
    """Redirect to the request's ``next`` (POST, then GET; or ``url`` when given) if it is on
    this site, else to ``fallback`` (a URL name or path, with its arguments as for
    ``django.shortcuts.redirect``)."""
    if url is None:
        url = request.POST.get("next") or request.GET.get("next")
    return redirect(safe_next_url(request, url) or fallback, *args, **kwargs)
