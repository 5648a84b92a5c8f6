"""``{% render_panel panel %}``: renders a registered 360 panel with its context both as
``panel.<name>`` and as plain variables, so a module's panel template reads either way."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context, panel):
    variables = {k: v for k, v in panel.items() if k not in ("key", "title", "template")}
    with context.push(panel=panel, **variables):
        return context.template.engine.get_template(panel["template"]).render(context)
