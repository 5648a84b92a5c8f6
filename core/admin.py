from django.contrib import admin

from core import tokens
from core.models import ApiToken, AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["created_at", "actor", "action", "object_type", "object_id", "ip"]
    list_filter = ["action"]
    search_fields = ["object_id", "actor__username", "action"]
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Admins list and revoke users' API tokens (tokens are issued by logging in, not here)."""

    list_display = ["user", "name", "token_key", "created", "expiry", "idle_seconds"]
    list_filter = ["user__is_active"]
    search_fields = ["user__username", "name", "token_key"]
    list_select_related = ["user"]
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        tokens.token_revoke(token=obj, by=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            tokens.token_revoke(token=token, by=request.user, request=request)
