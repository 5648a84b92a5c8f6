"""Search keys for Chinese and English names (customers, suppliers, any named record).

``search_columns`` derives, from a name, its full pinyin ("zhangsan"), its initials ("zs") and a
normalised form for de-duplication (lower case, no spaces or punctuation, no company-form suffix).
``search_filter`` turns what a user typed into one ``Q`` over the indexed columns.
"""

import re
import unicodedata
from itertools import product

from django.db.models import Q
from pypinyin import Style, lazy_pinyin, pinyin

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


def _pinyin_readings(text: str, limit: int = 8) -> set[str]:
    """Every pinyin reading of a short text (polyphonic characters: 重 → zhong, chong)."""
    readings = pinyin(text, style=Style.NORMAL, heteronym=True, errors="default")
    combos = set()
    for combo in product(*[[_clean(r) for r in options] for options in readings]):
        combos.add("".join(combo))
        if len(combos) >= limit:
            break
    return combos


def search_filter(query: str, *, prefix: str = "") -> Q:
    """Name, code, phone, e-mail, pinyin and initials, in one ``Q`` whose every branch an index
    serves on PostgreSQL (so the planner can OR bitmap scans instead of reading the table):

    - Chinese text: the name, by the trigram index on UPPER(name);
    - Latin letters: pinyin of the name (an English name's "pinyin" is the name itself, without
      spaces), at the start for one or two letters (b-tree pattern index), anywhere for more
      (trigram index); initials and code at the start (b-tree pattern indexes);
    - digits: the phone anywhere (trigram index) and the code at the start;
    - an e-mail address: the e-mail at the start (trigram index on UPPER(email)).
    """
    q = (query or "").strip()
    if not q:
        return Q()
    p = prefix
    cond = Q(**{f"{p}code__startswith": q.upper()})
    key = _clean(q)
    if not key.isascii():
        if len(key) <= 2:
            # Trigrams need three characters; one or two Chinese characters are found through
            # their pinyin (trigram index), then checked against the name itself.
            readings = [r for r in _pinyin_readings(key) if len(r) >= 3 and r.isascii()]
            if readings:
                by_pinyin = Q()
                for reading in readings:
                    by_pinyin |= Q(**{f"{p}search_pinyin__contains": reading})
                return cond | (by_pinyin & Q(**{f"{p}name__icontains": q}))
        cond |= Q(**{f"{p}name__icontains": q})
        return cond
    if "@" in q:
        return cond | Q(**{f"{p}email__istartswith": q})
    digits = re.sub(r"\D", "", q)
    if digits and len(digits) == len(key):
        if len(digits) >= 3:
            cond |= Q(**{f"{p}phone__contains": digits})
        return cond
    if key:
        if len(key) < 3:
            cond |= Q(**{f"{p}search_initials__startswith": key}) | Q(
                **{f"{p}search_pinyin__startswith": key}
            )
        else:
            cond |= (
                Q(**{f"{p}search_pinyin__contains": key})
                | Q(**{f"{p}search_initials__startswith": key})
                | Q(**{f"{p}email__istartswith": q})
            )
    return cond
