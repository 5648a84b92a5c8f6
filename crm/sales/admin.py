"""Admins set up the pipeline stages and the lead assignment rules here."""

from django.contrib import admin

from crm.sales.models import AssignmentRule, PipelineStage


@admin.register(PipelineStage)
class PipelineStageAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "probability", "is_won", "is_lost", "is_active"]
    list_editable = ["order", "probability", "is_active"]


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "order", "region", "product", "team", "user", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["kind", "is_active"]
    raw_id_fields = ["product"]
