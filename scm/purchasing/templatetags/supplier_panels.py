"""``{% render_supplier_panel panel %}``: renders a registered supplier 360 panel with its
context both as ``panel.<name>`` and as plain variables."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def render_supplier_panel(context, panel):
    variables = {k: v for k, v in panel.items() if k not in ("key", "title", "template")}
    with context.push(panel=panel, **variables):
        return context.template.engine.get_template(panel["template"]).render(context)


@register.filter
def percent(rate):
    """A fraction (0.9512) as a percentage (95.1%); — when there is none."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}%"
