"""The bin state of a tablet screen (receive, purchase receipts, put-away, counts): the bin the
picker holds and the product waiting for its bin, kept in the session per screen (``screen``:
the screen and what it works on, ``receive:3``). The server keeps it, not the page: the page
may queue scans while offline and send them later, in order (``static/js/scan_queue.js``), and
each must be read with the state the scans before it left. What a scan means is
``bin_scan.bin_scan_step``; the page shows the state (``inventory/tablet/_bin_state.html``).
Used by inventory's screens and purchasing's receiving."""

from django.core.exceptions import ValidationError

from scm.inventory import bin_scan, selectors
from scm.inventory.locations import location_for_scan
from scm.inventory.putaway import put_away_suggestion

SESSION_KEY = "tablet-bins"


def memory(request, screen: str) -> dict:
    """What the screen remembers: ``held`` (a bin's code), ``pending`` (a product's code as
    scanned) and ``pending_lot`` (a lot id, when a row named it)."""
    return dict(request.session.get(SESSION_KEY, {}).get(screen, {}))


def _remember(request, screen: str, **state) -> None:
    store = dict(request.session.get(SESSION_KEY, {}))
    state = {key: value for key, value in state.items() if value}
    if state:
        store[screen] = state
    else:
        store.pop(screen, None)
    request.session[SESSION_KEY] = store


def scan_step(request, warehouse, screen: str) -> bin_scan.BinStep:
    """What the posted scan means on ``screen``: "Done with this bin" and "Put away later" are
    answered here, the rest by ``bin_scan.bin_scan_step`` with what the screen remembers."""
    post, state = request.POST, memory(request, screen)
    pending = state.get("pending", "")
    if post.get("clear_bin"):
        return bin_scan.BinStep(bin_scan.HOLD, location=None)
    if post.get("dock") and pending:
        return bin_scan.BinStep(
            bin_scan.PLACE, scan=selectors.scan_lookup(code=pending, field="code"), code=pending
        )
    held = "" if pending else state.get("held", "")
    return bin_scan.bin_scan_step(warehouse=warehouse, code=post.get("code", ""), held=held, pending=pending)


def held_location(request, warehouse, screen: str):
    """The bin the screen holds, checked again (it may have been deactivated); None when none."""
    code = memory(request, screen).get("held", "")
    if not code or request.POST.get("clear_bin"):
        return None
    return location_for_scan(warehouse=warehouse, code=code, field="code")


def _shown(held, pending: str, scan=None, suggestion=None) -> dict:
    shown = {"held_bin": held, "pending_code": pending, "bin_oob": True}
    if scan is not None:
        shown["pending_name"] = scan.product.name + (f" · {scan.lot.number}" if scan.lot else "")
        shown["suggestion"] = suggestion
    return shown


def step_done(request, screen: str, step: bin_scan.BinStep) -> dict:
    """Remember what ``step`` leaves (a bin scanned first stays held; a product waits for its
    bin; anything placed clears what waited) and return the template's context for it."""
    if step.kind == bin_scan.HOLD:
        _remember(request, screen, held=step.location.code if step.location else "")
        return _shown(step.location, "")
    if step.kind == bin_scan.PENDING:
        lot = step.scan.lot.pk if step.scan.lot else ""
        _remember(request, screen, pending=step.code, pending_lot=lot)
        return _shown(None, step.code, step.scan, step.suggestion)
    held = None
    if step.kind == bin_scan.PLACE and not memory(request, screen).get("pending"):
        held = step.location
    _remember(request, screen, held=held.code if held else "")
    return _shown(held, "")


def shown_state(request, warehouse, screen: str) -> dict:
    """The state to show when the screen opens (a reload keeps it): what is left of it that is
    still valid."""
    state = memory(request, screen)
    held = None
    if state.get("held"):
        try:
            held = location_for_scan(warehouse=warehouse, code=state["held"], field="code")
        except ValidationError:
            held = None
    pending, scan, suggestion = state.get("pending", ""), None, None
    if pending:
        try:
            scan = selectors.scan_lookup(code=pending, field="code")
        except ValidationError:
            pending = ""
        else:
            suggestion = put_away_suggestion(warehouse=warehouse, product=scan.product, lot=scan.lot)
    shown = _shown(held, pending, scan, suggestion)
    shown.pop("bin_oob")
    return shown
