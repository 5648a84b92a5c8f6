"""Demo: the demo company is a trading company, so it applies the 商贸 (trade) template, as an
admin would in the set-up wizard. The template adds what the demo lacks beside its own (the
stages 寄样试用 and 签订合同 between the demo's, the lead sources and customer tags the forms
offer, more customer groups, units and their conversions, payment terms, service levels of the
categories planning has not set) and leaves everything the demo has as it is: the same stage
names (初步接触, 方案报价 …) and warehouse codes (BJ, SH, GZ) are not added twice."""

from collections import Counter

from core.preferences import LEAD_SOURCES, preference
from crm.sales.models import PipelineStage
from integration.setup.industry import template_apply
from scm.inventory.models import Category

TEMPLATE = "trade"


def build(ctx) -> None:
    changes = template_apply(key=TEMPLATE, actor=ctx.users.get("admin"))
    stages = Counter(change.kind for change in changes)["pipeline_stage"]
    ctx.say(
        f"industry: template {TEMPLATE} applied ({len(changes)} added, {stages} of them stages); "
        f"{PipelineStage.objects.count()} pipeline stages, {Category.objects.count()} product categories, "
        f"{len(preference(LEAD_SOURCES))} lead sources"
    )
