"""A quote's or order's lines as the rep enters them: priced (``pricing.lines_price``: price
lists, promotions, list price per unit), summed (``pricing.lines_totals``) and promised
(``scm.inventory.promise``: availability per warehouse, incoming receipts, the promise date;
receipts serve the backorders ahead first, ``waiting.backorders_waiting``).

``document_lines`` is the one function behind both what the forms show live, before saving
(``document_preview``, the line-preview API), and what the services write (the lines' prices,
amounts, taxes, promise dates and the document's totals): the figures shown are the figures
saved. Reads only.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.sales.orders.pricing import PricedLines, lines_price, lines_totals
from crm.sales.orders.waiting import backorders_waiting
from scm.inventory.promise import ZERO, Promise, promise_dates_many

LINE_ERROR = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


@dataclass
class EntryFigures:
    """What one entered line (one form row) comes to: its priced parts (a line of which a
    promotion gives some units is two), their net amount and tax, and its promise: the latest
    of its parts' dates (None when one is unknown), what it lacks where it ships from, and the
    warehouses' figures before it."""

    key: object
    parts: list
    promises: list[Promise]

    @property
    def product(self):
        return self.parts[0].product

    @property
    def net_amount(self):
        return sum((line.net_amount for line in self.parts), ZERO)

    @property
    def tax_amount(self):
        return sum((line.tax_amount for line in self.parts), ZERO)

    @property
    def base_quantity(self):
        return sum((line.base_quantity for line in self.parts), ZERO)

    @property
    def promise(self) -> Promise:
        """The part promised last (its date is the line's), or one whose date is unknown."""
        unknown = [p for p in self.promises if p.promise_date is None]
        return unknown[0] if unknown else max(self.promises, key=lambda p: p.promise_date)

    @property
    def shortage(self):
        return sum((p.shortage for p in self.promises), ZERO)

    @property
    def available(self):
        return self.promises[0].available

    @property
    def warehouses(self) -> list[dict]:
        return self.promises[0].warehouses


@dataclass
class DocumentLines:
    """Priced lines (``priced``, with each line's ``promise_date``), the document's columns
    (``totals``: subtotal, tax, total, order-level promotion) and each line's ``Promise``."""

    priced: PricedLines
    totals: dict
    promises: list[Promise]
    # For a preview: the key of the entry (a form prefix) each priced line came from.
    keys: list = field(default_factory=list)

    @property
    def short(self) -> list[tuple]:
        """(line, promise) of the lines that lack stock where they ship from."""
        return [(line, p) for line, p in zip(self.priced, self.promises, strict=True) if p.is_short]

    def entries(self) -> list[EntryFigures]:
        """The figures of each entered line (by ``keys``), in the order entered."""
        grouped: dict = {}
        for key, line, promise in zip(self.keys, self.priced, self.promises, strict=True):
            entry = grouped.setdefault(key, EntryFigures(key, [], []))
            entry.parts.append(line)
            entry.promises.append(promise)
        return list(grouped.values())

    def complete_from(self) -> list:
        """The stock warehouses (other than the ship-from) from which every line could ship in
        full today: the "ship from another warehouse" choice."""
        if not self.promises or not self.promises[0].warehouses:
            return []
        ship_from_id = self.promises[0].ship_from_id
        return [
            row["warehouse"]
            for i, row in enumerate(self.promises[0].warehouses)
            if row["warehouse"].pk != ship_from_id
            and all(p.warehouses[i]["available"] >= p.base_quantity for p in self.promises)
        ]

    @property
    def complete_by(self) -> date | None:
        """The day every line can ship (the latest promise date); None when one is unknown."""
        days = [p.promise_date for p in self.promises]
        return None if not days or None in days else max(days)


def lines_promise(
    priced, *, ship_from=None, today: date | None = None, rows: bool = False, ahead_of=None
) -> list[Promise]:
    """Each priced line's ``Promise`` for its base quantity, shipped from ``ship_from`` (a
    warehouse; None: from anywhere), and its ``promise_date`` set on the line. Expected receipts
    serve the backorders waiting ahead first (``waiting.backorders_waiting``): with ``ahead_of``
    (an order, written or not) those the backorder rule serves before it, else (a quote) all.
    One query more than the promise's, whatever the number of lines."""
    lines = [(line.product, line.base_quantity) for line in priced]
    # Without an order's place in the queue, the promise nets everything that waits by itself
    # (the source this app registers with inventory).
    waiting = None
    if ahead_of is not None:
        waiting = backorders_waiting([getattr(p, "pk", p) for p, _q in lines], ahead_of=ahead_of)
    promises = promise_dates_many(lines=lines, ship_from=ship_from, today=today, rows=rows, waiting=waiting)
    for line, promise in zip(priced, promises, strict=True):
        line.promise_date = promise.promise_date
    return promises


def document_lines(
    lines,
    *,
    customer,
    on: date | None = None,
    ship_from=None,
    keep_prices: bool = False,
    rows: bool = False,
    ahead_of=None,
) -> DocumentLines:
    """``lines`` validated, priced for ``customer`` on ``on`` (today when None), summed and
    promised from ``ship_from`` — what the services write and the forms show. Bad input raises
    ``lines_price``'s ``ValidationError`` (``lines[2].quantity`` …). ``rows``: each promise
    carries every warehouse's availability (to show; the services need none). ``ahead_of``: the
    order (written or not) whose place among waiting orders decides which backorders the
    receipts serve first (``lines_promise``); None (a quote): every one waiting."""
    priced = lines_price(lines, customer=customer, on=on or timezone.localdate(), keep_prices=keep_prices)
    promises = lines_promise(priced, ship_from=ship_from, rows=rows, ahead_of=ahead_of)
    return DocumentLines(priced=priced, totals=lines_totals(priced), promises=promises)


def document_preview(
    entries: list[tuple], *, customer, on: date | None = None, ship_from=None, ahead_of=None
) -> DocumentLines:
    """``document_lines`` (with warehouse rows) of a form being filled in: ``entries`` are
    (key, line) pairs; lines it refuses are left out (at most two tries), so that the lines that
    do price show their figures while another is still being typed. ``keys``: each priced line's
    entry key (a split line's two parts share one)."""
    for _attempt in range(2):
        if not entries:
            break
        try:
            found = document_lines(
                [line for _key, line in entries],
                customer=customer,
                on=on,
                ship_from=ship_from,
                rows=True,
                ahead_of=ahead_of,
            )
        except ValidationError as exc:
            bad = {int(m.group(1)) for name in exc.message_dict if (m := LINE_ERROR.match(name))}
            if not bad:
                break
            entries = [entry for i, entry in enumerate(entries) if i not in bad]
            continue
        found.keys = [entries[index][0] for _line, index in found.priced.indexes]
        return found
    return DocumentLines(priced=PricedLines(), totals=lines_totals([]), promises=[])
