"""The unified social credit code (统一社会信用代码, GB 32100-2015): the tax id of a company on
its invoices. 18 characters from the code's alphabet (digits and capitals without I, O, S, V, Z);
the last is a check character computed from the first 17 (weights 3^i mod 31). The one check of a
tax id, used by the company profile, customers' invoicing details, forms, API and imports."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    if not isinstance(code, str) or len(code) != 18 or any(c not in ALPHABET for c in code):
        return False
    return check_character(code[:17]) == code[17]


def tax_id_input(value, *, field: str = "tax_id") -> str:
    """A tax id as typed (spaces dropped, letters in capitals), or "" when blank; a code of the
    wrong length, with a character outside the alphabet or a wrong check character is a
    ``ValidationError`` naming ``field``."""
    if value is None:
        return ""
    code = "".join(str(value).split()).upper()
    if not code:
        return ""
    if len(code) != 18:
        message = _("A unified social credit code has 18 characters; this one has %(n)s.")
        raise ValidationError({field: message % {"n": len(code)}})
    wrong = [c for c in code if c not in ALPHABET]
    if wrong:
        raise ValidationError(
            {field: _("“%(char)s” cannot appear in a unified social credit code.") % {"char": wrong[0]}}
        )
    if not is_valid(code):
        raise ValidationError(
            {field: _("This unified social credit code is not valid: its check character does not match.")}
        )
    return code


def validate_tax_id(value) -> None:
    """Model and form validator (``tax_id_input``'s rule)."""
    try:
        tax_id_input(value)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict["tax_id"]) from None
