"""Parts on tickets: added by an engineer, reserved from the warehouse nearest the customer that
has them, used when the visit is done (lots and serials recorded), free under warranty."""


def ticket_parts_consume(*, ticket, visit, user=None) -> list:
    """Use every reserved part of ``ticket`` at ``visit`` (called by ``visit_complete`` inside its
    transaction). Returns the parts used."""
    return []
