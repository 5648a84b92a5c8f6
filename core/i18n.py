"""Texts stored for later readers (timelines, notifications) are kept as a message key and its
parameters, and put into the reader's language when shown.

The key is the English text marked with ``gettext_noop`` (so ``make messages`` finds it), with
``%(name)s`` placeholders; the parameters are plain values (names, numbers, e-mail addresses).
A parameter may itself be a message (``message(...)``: a choice label, a sentence inside a
notification's title), put into the reader's language too. A text stored before this, already
translated, or typed by a user, has no parameters and is shown as written.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext, override


def message(msgid: str, params: dict | None = None) -> dict:
    """A message as a parameter of another: ``{"msgid": …, "params": {…}}``."""
    return {"msgid": str(msgid), "params": stored_params(params)}


def msgid_of(text) -> str:
    """The message key of a lazily translated text (a model choice's label)."""
    with override(None):
        return str(text)


def stored_params(params: dict | None) -> dict:
    """``params`` as they are stored (JSON): lazy texts become messages, decimals their exact
    text (``100.00``: format quantities before, as the text should show them), anything else
    its text."""
    stored = {}
    for name, value in (params or {}).items():
        if isinstance(value, Promise):
            value = message(msgid_of(value))
        elif not isinstance(value, (dict, int, float, str)) and value is not None:
            value = str(value)  # a Decimal exactly as it is, a date in ISO form
        stored[name] = value
    return stored


def message_text(text: str, params: dict | None = None) -> str:
    """``text`` in the active language with ``params`` filled in. A text that is no message key
    comes back as written; a translation whose placeholders do not match the parameters falls
    back to the English text, and that to the bare text, never an error."""
    if not text:
        return ""
    translated = gettext(text)
    if not params:
        return translated
    values = {
        name: message_text(value.get("msgid", ""), value.get("params")) if isinstance(value, dict) else value
        for name, value in params.items()
    }
    for candidate in (translated, text):
        try:
            return candidate % values
        except (KeyError, TypeError, ValueError):
            continue
    return translated
