"""Search keys for Chinese and English names (customers, suppliers, any named record).

``search_columns`` derives, from a name, its full pinyin ("zhangsan"), its initials ("zs") and a
normalised form for de-duplication (lower case, no spaces or punctuation, no company-form suffix).
``search_filter`` turns what a user typed into one ``Q`` over the indexed columns.
"""

import re
import unicodedata
from itertools import product

from django.db import connection
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


def pinyin_key(name: str) -> str:
    """A name's sort key where a short list is sorted in Python (a customer's contacts, the
    service teams): its full pinyin, as the indexed ``search_pinyin`` columns sort in SQL, so
    阿强, 李娜, 王芳, 张伟 and not by character code."""
    return search_columns(name)[0]


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


def _starts(field: str, text: str) -> Q:
    """``field`` starts with ``text``. On SQLite as a range (``text`` ≤ field < the next text),
    which its b-tree index serves, where its LIKE reads every row (SQLite compares text byte by
    byte, so the range is exactly the prefix); elsewhere LIKE 'text%' (PostgreSQL's pattern
    indexes serve it)."""
    if text and connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": text, f"{field}__lt": text[:-1] + chr(ord(text[-1]) + 1)})
    return Q(**{f"{field}__startswith": text})


def search_filter(
    query: str,
    *,
    prefix: str = "",
    name: str = "name",
    code: str | None = "code",
    phone: str | None = "phone",
    email: str | None = "email",
) -> Q:
    """Name, code, phone, e-mail, pinyin and initials, in one ``Q`` whose every branch an index
    serves on PostgreSQL (so the planner can OR bitmap scans instead of reading the table):

    - Chinese text: the name, by the trigram index on UPPER(name);
    - Latin letters: pinyin of the name (an English name's "pinyin" is the name itself, without
      spaces), at the start for one or two letters (b-tree pattern index), anywhere for more
      (trigram index); initials and code at the start (b-tree pattern indexes);
    - digits: the phone anywhere (trigram index) and the code at the start;
    - an e-mail address: the e-mail at the start (trigram index on UPPER(email)).

    ``name``, ``code``, ``phone`` and ``email`` name the record's columns (None: it has no such
    column); ``search_pinyin`` and ``search_initials`` are always the pinyin columns. Input
    that can match none of the columns matches nothing (never everything)."""
    q = (query or "").strip()
    if not q:
        return Q()
    p = prefix
    nothing = Q(pk__in=[])
    cond = _starts(f"{p}{code}", q.upper()) if code else nothing
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
                return cond | (by_pinyin & Q(**{f"{p}{name}__icontains": q}))
        cond |= Q(**{f"{p}{name}__icontains": q})
        return cond
    if "@" in q:
        return cond | Q(**{f"{p}{email}__istartswith": q}) if email else cond
    digits = re.sub(r"\D", "", q)
    if digits and len(digits) == len(key):
        if len(digits) >= 3 and phone:
            cond |= Q(**{f"{p}{phone}__contains": digits})
        return cond
    if key:
        if len(key) < 3:
            cond |= _starts(f"{p}search_initials", key) | _starts(f"{p}search_pinyin", key)
        else:
            cond |= _starts(f"{p}search_initials", key) | Q(**{f"{p}search_pinyin__contains": key})
            if email:
                cond |= Q(**{f"{p}{email}__istartswith": q})
    return cond


def search_rank(query: str, *, name: str = "name", code: str | None = "code", exact: Q | None = None):
    """How well a record found by ``search_filter`` matches ``query``, for ordering (lower is
    better): 0 its code is the query (or ``exact`` holds: a product's barcode), 1 its code,
    name, pinyin or initials start with it, 2 the query is elsewhere in it (a pinyin syllable
    in the middle)."""
    from django.db.models import Case, IntegerField, Value, When

    q = (query or "").strip()
    key = _clean(q)
    start = Q(**{f"{name}__startswith": q})
    whens = [When(exact, then=Value(0))] if exact is not None else []
    if code:
        whens.append(When(Q(**{f"{code}__iexact": q}), then=Value(0)))
        start |= Q(**{f"{code}__istartswith": q})
    if key and key.isascii():
        start |= Q(search_pinyin__startswith=key) | Q(search_initials__startswith=key)
    whens.append(When(start, then=Value(1)))
    return Case(*whens, default=Value(2), output_field=IntegerField())


def search_ordered(
    qs, query: str, *, code: str | None = "code", exact: Q | None = None, then=("search_pinyin", "pk")
):
    """``qs`` (filtered by ``search_filter``) best match first (``search_rank``), then by
    ``then``. Always ranked, even for one letter: ordered by the pinyin alone, PostgreSQL would
    walk the pinyin index from "a" and filter its way to the first rows starting with "z"
    (a third of a second at 100,000 customers), where sorting the matches costs milliseconds."""
    return qs.annotate(rank=search_rank(query, code=code, exact=exact)).order_by("rank", *then)
