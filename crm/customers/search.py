"""Search keys for Chinese and English names.

``search_columns`` derives, from a name, its full pinyin ("zhangsan"), its initials ("zs") and a
normalised form for de-duplication (lower case, no spaces or punctuation, no company-form suffix).
``search_filter`` turns what a user typed into one ``Q`` over the indexed columns.
"""

import re
import unicodedata

from django.db.models import Q
from pypinyin import Style, lazy_pinyin

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Company forms that do not tell two companies apart ("上海华通有限公司" = "上海华通").
_COMPANY_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
    "公司",
    "co ltd",
    "coltd",
    "limited",
    "ltd",
    "inc",
    "corp",
    "gmbh",
)


def _clean(text: str) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text or "").lower())


def normalize_name(name: str) -> str:
    cleaned = _clean(name)
    for form in _COMPANY_FORMS:
        form = form.replace(" ", "")
        if cleaned.endswith(form) and len(cleaned) > len(form):
            cleaned = cleaned[: -len(form)]
            break
    return cleaned[:200]


def search_columns(name: str) -> tuple[str, str, str]:
    """(full pinyin, initials, normalised name) of ``name``; non-Chinese parts are kept as is."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    syllables = [s for s in (_clean(p) for p in lazy_pinyin(text, errors="default")) if s]
    full = "".join(syllables)[:600]
    initials = "".join(s[0] for s in (_clean(p) for p in lazy_pinyin(text, style=Style.FIRST_LETTER)) if s)[
        :200
    ]
    return full, initials, normalize_name(name)


def normalize_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def search_filter(query: str, *, prefix: str = "") -> Q:
    """Name, code, phone, e-mail, pinyin and initials. Short queries (one or two letters) match
    at the start of pinyin, initials and code, which the b-tree indexes serve; longer ones match
    anywhere, which the trigram indexes serve on PostgreSQL."""
    q = (query or "").strip()
    if not q:
        return Q()
    low = q.lower()
    p = prefix
    cond = Q(**{f"{p}name__icontains": q}) | Q(**{f"{p}code__istartswith": q})
    if "@" in q or len(q) >= 3:
        cond |= Q(**{f"{p}email__istartswith": low})
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 3 and len(digits) >= len(q.replace(" ", "").replace("-", "").replace("+", "")):
        cond |= Q(**{f"{p}phone__contains": digits})
    key = _clean(q)
    if key and key.isascii():
        if len(key) < 3:
            cond |= Q(**{f"{p}search_initials__startswith": key}) | Q(
                **{f"{p}search_pinyin__startswith": key}
            )
        else:
            cond |= Q(**{f"{p}search_pinyin__contains": key}) | Q(**{f"{p}search_initials__startswith": key})
    return cond
