"""The permission matrix: every page and every API operation, found by walking ``config.urls``
(the pages and the API router alike), asked by every role (and by an anonymous client and a
signed-in user without a role), reads and writes.

``ACCESS`` below is the one table of who may reach what (the README's role table, "Who reads
what", in detail). The test fails when:
- a route exists that the table does not list, or the table lists one that no longer exists;
- a view's declared roles (``role_required``, ``allowed_roles`` / ``write_roles`` /
  ``action_roles``) differ from the table (change both together, knowingly);
- a role the table does not grant gets anything but a refusal (403, or 405 for a method the
  view does not take; anonymous: the login page, or 401/403 from the API);
- a role the table grants is refused by the role check (an audited ``permission.denied``);
- any row of any table changed while a request was refused.

Path parameters are filled with the ids of objects made by factories (a customer, contact, lead,
opportunity, task, product, warehouse, quote and order of the sales user; a supplier), or an id that does
not exist where no object is at hand (the role check comes before the object is read).
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import SAFE_METHODS
from rest_framework.test import APIClient

from core.models import AuditLog
from core.roles import ALL_ROLES

pytestmark = pytest.mark.django_db

# Roles by letter: s sales, v service, w warehouse, p purchasing, f finance, m manager. Admins
# (and superusers) pass every role check, so "a" is implied everywhere. "+": any signed-in user,
# with a role or not. "!": anyone, anonymous callers too.
LETTERS = {"s": "sales", "v": "service", "w": "warehouse", "p": "purchasing", "f": "finance", "m": "manager"}
ALL = "svwpfm"
MISSING_ID = 987654

# route name → (roles that read (GET), roles that write (POST, PUT, PATCH, DELETE)); API routes
# as "api:<router name>", and an API action may name its own ("api:<name>:<action>").
ACCESS = {
    # --- public, and every signed-in user ---
    "healthz": ("!", "!"),
    "favicon": ("!", "!"),
    "set_language": ("!", "!"),
    "login": ("!", "!"),
    "logout": ("!", "!"),
    "sales:lead_public": ("!", "!"),
    "sales:lead_public_products": ("!", "!"),
    "api:api-token": ("!", "!"),
    "home": ("+", "+"),
    "password_change": ("+", "+"),
    "password_change_done": ("+", "+"),
    "set_password": ("!", "!"),
    "events:notifications": ("+", "+"),
    "events:bell": ("+", "+"),
    "events:bell_menu": ("+", "+"),
    "events:mark_read": ("+", "+"),
    # --- API: infrastructure ---
    "api:api-root": ("a", "a"),
    "api:api-schema": (ALL, ALL),
    "api:api-docs": (ALL, ALL),
    "api:api-me": (ALL, ALL),
    "api:api-logout": (ALL, ALL),
    "api:api-logout-all": (ALL, ALL),
    "api:api-token-list": (ALL, ALL),
    "api:api-token-detail": (ALL, ALL),
    "api_tokens": ("+", "+"),
    "api:audit-log-list": ("a", "a"),
    "api:audit-log-detail": ("a", "a"),
    "api:notification-list": (ALL, ALL),
    "api:notification-read": (ALL, ALL),
    "api:notification-detail": (ALL, ALL),
    "api:event-delivery-list": ("a", "a"),
    "api:event-delivery-detail": ("a", "a"),
    "api:event-delivery-replay": ("a", "a"),
    "events:deliveries": ("a", "a"),
    "events:replay": ("a", "a"),
    # --- imports: every role reaches them; each kind is open to its own roles (ImportSpec.roles) ---
    "import-template": (ALL, ALL),
    "api:import-list": (ALL, ALL),
    "api:import-kinds": (ALL, ALL),
    "api:import-detail": (ALL, ALL),
    "api:import-confirm": (ALL, ALL),
    # --- set-up: users and roles ---
    "setup:users": ("a", "a"),
    "setup:user_invite": ("a", "a"),
    "setup:user_detail": ("a", "a"),
    "setup:user_roles": ("a", "a"),
    "setup:user_deactivate": ("a", "a"),
    "setup:user_reactivate": ("a", "a"),
    "setup:user_resend_invite": ("a", "a"),
    "api:setup-user-list": ("a", "a"),
    "api:setup-user-detail": ("a", "a"),
    "api:setup-user-deactivate": ("a", "a"),
    "api:setup-user-reactivate": ("a", "a"),
    "api:setup-user-resend-invite": ("a", "a"),
    # --- set-up: industry templates ---
    "api:setup-template-list": ("a", "a"),
    "api:setup-template-detail": ("a", "a"),
    "api:setup-template-dry-run": ("a", "a"),
    "api:setup-template-apply": ("a", "a"),
    "setup:templates": ("a", "a"),
    "setup:template_detail": ("a", "a"),
    # --- customers ---
    "api:customer-list": ("svfm", "sm"),
    "api:customer-picker": ("svfm", "sm"),
    "api:customer-detail": ("svfm", "sm"),
    "api:contact-list": ("svfm", "sm"),
    "api:contact-detail": ("svfm", "sm"),
    "api:customer-group-list": ("svfm", "m"),
    "api:customer-group-detail": ("svfm", "m"),
    "customers:list": ("svfm", "svfm"),
    "customers:create": ("sm", "sm"),
    "customers:import": ("sm", "sm"),
    "customers:import_status": ("sm", "sm"),
    "customers:contacts_export": ("svfm", "svfm"),
    "customers:merge_list": ("m", "m"),
    "customers:merge_do": ("m", "m"),
    "customers:detail": ("svfm", "svfm"),
    "customers:edit": ("sm", "sm"),
    "customers:contact_create": ("sm", "sm"),
    "customers:contact_edit": ("sm", "sm"),
    # --- pipeline ---
    "api:stage-list": ("sm", "a"),
    "api:stage-detail": ("sm", "a"),
    "api:lead-list": ("sm", "sm"),
    "api:lead-detail": ("sm", "sm"),
    "api:lead-convert": ("sm", "sm"),
    "api:lead-sources": ("sm", "sm"),
    "api:opportunity-list": ("sm", "sm"),
    "api:opportunity-detail": ("sm", "sm"),
    "api:opportunity-close": ("sm", "sm"),
    "api:activity-list": ("sm", "sm"),
    "api:activity-detail": ("sm", "sm"),
    "api:activity-done": ("sm", "sm"),
    "sales:lead_list": ("sm", "sm"),
    "sales:lead_create": ("sm", "sm"),
    "sales:lead_detail": ("sm", "sm"),
    "sales:lead_edit": ("sm", "sm"),
    "sales:lead_convert": ("sm", "sm"),
    "sales:activity_add": ("sm", "sm"),
    "sales:tasks": ("sm", "sm"),
    "sales:task_done": ("sm", "sm"),
    "sales:board": ("sm", "sm"),
    "sales:opportunity_create": ("sm", "sm"),
    "sales:opportunity_detail": ("sm", "sm"),
    "sales:opportunity_edit": ("sm", "sm"),
    "sales:opportunity_move": ("sm", "sm"),
    "sales:opportunity_close": ("sm", "sm"),
    "sales:forecast": ("sm", "sm"),
    "sales:reassign": ("m", "m"),
    # --- quotes and orders ---
    "api:quote-list": ("sfm", "sm"),
    "api:quote-detail": ("sfm", "sm"),
    "api:quote-accept": ("sfm", "sm"),
    "api:quote-send": ("sfm", "sm"),
    "api:sales-order-list": ("swfm", "sm"),
    "api:sales-order-detail": ("swfm", "sm"),
    "api:sales-order-timeline": ("swfm", "sm"),
    "api:order-line-preview-list": ("sm", "sm"),
    "sales:orders:order_list": ("swfm", "swfm"),
    "sales:orders:order_create": ("sm", "sm"),
    "sales:orders:atp": ("sm", "sm"),
    "sales:orders:line_row": ("sm", "sm"),
    "sales:orders:customer_info": ("sm", "sm"),
    "sales:orders:totals": ("sm", "sm"),
    "sales:orders:order_detail": ("swfm", "swfm"),
    "sales:orders:order_edit": ("sm", "sm"),
    "sales:orders:order_pdf": ("sfm", "sfm"),
    "sales:orders:quote_list": ("sfm", "sfm"),
    "sales:orders:quote_create": ("sm", "sm"),
    "sales:orders:quote_detail": ("sfm", "sfm"),
    "sales:orders:quote_edit": ("sm", "sm"),
    "sales:orders:quote_send": ("sm", "sm"),
    "sales:orders:quote_accept": ("sm", "sm"),
    "sales:orders:quote_cancel": ("sm", "sm"),
    "sales:orders:quote_pdf": ("sfm", "sfm"),
    # --- prices and promotions ---
    "api:price-list-list": ("sfm", "m"),
    "api:price-list-detail": ("sfm", "m"),
    "api:promotion-list": ("sfm", "m"),
    "api:promotion-detail": ("sfm", "m"),
    "api:price-resolve-list": ("sfm", "sfm"),
    "api:bulk-price-preview": ("pm", "pm"),
    "api:bulk-price-apply": ("pm", "pm"),
    "sales:prices:price_list_list": ("sfm", "sfm"),
    "sales:prices:price_list_create": ("m", "m"),
    "sales:prices:price_list_detail": ("sfm", "sfm"),
    "sales:prices:price_list_edit": ("m", "m"),
    "sales:prices:promotion_list": ("sfm", "sfm"),
    "sales:prices:promotion_create": ("m", "m"),
    "sales:prices:promotion_detail": ("sfm", "sfm"),
    "sales:prices:promotion_edit": ("m", "m"),
    "sales:prices:bulk": ("pm", "pm"),
    # --- order workflow, shipping, returns ---
    "api:order-workflow-place": ("swfm", "sm"),
    "api:order-workflow-detail": ("swfm", "swfm"),
    "api:order-workflow-cancel": ("swfm", "sm"),
    "api:order-workflow-confirm": ("swfm", "sm"),
    "api:order-workflow-release-hold": ("swfm", "m"),
    "api:order-workflow-reserve-again": ("swfm", "m"),
    "api:order-workflow-shorten-line": ("swfm", "sm"),
    "api:shipment-list": ("swfm", "wm"),
    "api:shipment-detail": ("swfm", "wm"),
    "api:shipment-scan": ("swfm", "wm"),
    "api:shipment-ship": ("swfm", "wm"),
    "api:pick-list-list": ("wm", "wm"),
    "api:batch-pick-list": ("wm", "wm"),
    "api:batch-pick-detail": ("wm", "wm"),
    "api:batch-pick-scan": ("wm", "wm"),
    "api:batch-pick-ship": ("wm", "wm"),
    "api:batch-pick-finish": ("wm", "wm"),
    "api:short-pick-list": ("wm", "wm"),
    "api:return-list": ("swfm", "wm"),
    "api:return-detail": ("swfm", "wm"),
    "api:shipment-deliver": ("swfm", "wm"),
    "api:carrier-list": ("vwpm", "wm"),
    "api:carrier-detail": ("vwpm", "wm"),
    "api:carrier-figures-list": ("vwpm", "vwpm"),
    "fulfilment:order-confirm": ("sm", "sm"),
    "fulfilment:order-release-hold": ("m", "m"),
    "fulfilment:order-cancel": ("sm", "sm"),
    "fulfilment:order-reserve-again": ("m", "m"),
    "fulfilment:order-shorten": ("sm", "sm"),
    "fulfilment:picking": ("wm", "wm"),
    "fulfilment:picking-start": ("wm", "wm"),
    "fulfilment:shipments": ("swfm", "swfm"),
    "fulfilment:shipment": ("swfm", "swfm"),
    "fulfilment:shipment-scan": ("wm", "wm"),
    "fulfilment:shipment-ship": ("wm", "wm"),
    "fulfilment:short-pick": ("wm", "wm"),
    "fulfilment:batch-create": ("wm", "wm"),
    "fulfilment:batch": ("wm", "wm"),
    "fulfilment:batch-scan": ("wm", "wm"),
    "fulfilment:batch-ship": ("wm", "wm"),
    "fulfilment:batch-finish": ("wm", "wm"),
    "fulfilment:delivery-note": ("swfm", "swfm"),
    "fulfilment:return-create": ("wm", "wm"),
    "fulfilment:returns": ("swfm", "swfm"),
    # --- service: parts on tickets ---
    "service:ticket_parts": ("vwm", "vwm"),
    "service:ticket_part_add": ("vm", "vm"),
    "service:ticket_part_remove": ("vm", "vm"),
    "service:ticket_part_availability": ("vm", "vm"),
    "api:ticket-part-list": ("vwm", "vm"),
    "api:ticket-part-detail": ("vwm", "vm"),
    # --- delivery confirmation, carriers, surveys (issue 15) ---
    "fulfilment:delivery-confirm": ("wm", "wm"),
    "fulfilment:delivery-link": ("!", "!"),
    "fulfilment:carriers": ("vwpm", "vwpm"),
    "fulfilment:carrier-create": ("wm", "wm"),
    "fulfilment:carrier-edit": ("wm", "wm"),
    "carrier_figures:list": ("vwpm", "vwpm"),
    "surveys:list": ("svm", "svm"),
    "api:service-survey-list": ("svm", "svm"),
    "api:service-survey-detail": ("svm", "svm"),
    "api:service-survey-nps": ("svm", "svm"),
    "surveys:answer": ("!", "!"),
    # --- inventory ---
    "api:inventory-product-list": (ALL, "pm"),
    "api:inventory-product-picker": (ALL, "pm"),
    "api:inventory-product-detail": (ALL, "pm"),
    "api:inventory-product-availability": (ALL, "pm"),
    "api:inventory-product-variants": (ALL, "pm"),
    "api:inventory-category-list": (ALL, "pm"),
    "api:inventory-category-detail": (ALL, "pm"),
    "api:inventory-brand-list": (ALL, "pm"),
    "api:inventory-brand-detail": (ALL, "pm"),
    "api:inventory-unit-list": (ALL, "pm"),
    "api:inventory-unit-detail": (ALL, "pm"),
    "api:inventory-warehouse-list": (ALL, "m"),
    "api:inventory-warehouse-detail": (ALL, "m"),
    "api:inventory-lot-list": (ALL, ALL),
    "api:inventory-lot-detail": (ALL, ALL),
    "api:inventory-stock-level-list": (ALL, ALL),
    "api:inventory-stock-level-detail": (ALL, ALL),
    "api:inventory-stock-move-list": (ALL, ALL),
    "api:inventory-stock-move-detail": (ALL, ALL),
    "api:inventory-receipt-list": ("w", "w"),
    "api:inventory-adjustment-list": ("w", "w"),
    "api:inventory-transfer-list": (ALL, "w"),
    "api:inventory-transfer-detail": (ALL, "w"),
    "api:inventory-transfer-cancel": (ALL, "w"),
    "api:inventory-transfer-receive": (ALL, "w"),
    "api:inventory-transfer-ship": (ALL, "w"),
    "api:inventory-count-list": (ALL, "w"),
    "api:inventory-count-detail": (ALL, "w"),
    "api:inventory-count-approve": (ALL, "m"),
    "api:inventory-count-cancel": (ALL, "wm"),
    "api:inventory-count-post-adjustments": (ALL, "wm"),
    "api:inventory-count-record": (ALL, "w"),
    "api:inventory-count-submit": (ALL, "w"),
    "api:inventory-location-list": (ALL, "w"),
    "api:inventory-location-detail": (ALL, "w"),
    "api:inventory-location-zone": (ALL, "w"),
    "api:inventory-location-labels": (ALL, "w"),
    "api:inventory-location-stock-list": (ALL, ALL),
    "api:inventory-location-stock-detail": (ALL, ALL),
    "api:inventory-put-away-list": (ALL, ALL),
    "api:inventory-relocation-list": ("w", "w"),
    "inventory:products": (ALL, ALL),
    "inventory:product_export": (ALL, ALL),
    "inventory:product_create": ("pm", "pm"),
    "inventory:product_detail": (ALL, ALL),
    "inventory:product_edit": ("pm", "pm"),
    "inventory:import": ("wpm", "wpm"),
    "inventory:import_status": ("wpm", "wpm"),
    "inventory:stock": (ALL, ALL),
    "inventory:low_stock": (ALL, ALL),
    "inventory:lot_detail": (ALL, ALL),
    "inventory:transfers": (ALL, ALL),
    "inventory:transfer_detail": (ALL, ALL),
    "inventory:transfer_action": ("w", "w"),
    "inventory:counts": (ALL, ALL),
    "inventory:count_detail": (ALL, ALL),
    "inventory:count_action": ("wm", "wm"),
    "inventory:tablet_receive": ("w", "w"),
    "inventory:tablet_receive_scan": ("w", "w"),
    "inventory:tablet_transfer_start": ("w", "w"),
    "inventory:tablet_transfer": ("w", "w"),
    "inventory:tablet_transfer_scan": ("w", "w"),
    "inventory:tablet_count": ("w", "w"),
    "inventory:tablet_count_scan": ("w", "w"),
    "inventory:locations": (ALL, ALL),
    "inventory:location_create": ("w", "w"),
    "inventory:location_zone": ("w", "w"),
    "inventory:location_labels": (ALL, ALL),
    "inventory:location_detail": (ALL, ALL),
    "inventory:location_edit": ("w", "w"),
    "inventory:location_delete": ("w", "w"),
    "inventory:tablet_put_away": ("w", "w"),
    "inventory:tablet_put_away_scan": ("w", "w"),
    # --- purchase orders ---
    "api:purchase-order-list": ("wpfm", "pm"),
    "api:purchase-order-detail": ("wpfm", "pm"),
    "api:purchase-order-submit": ("wpfm", "pm"),
    "api:purchase-order-approve": ("wpfm", "m"),
    "api:purchase-order-reject": ("wpfm", "m"),
    "api:purchase-order-send": ("wpfm", "pm"),
    "api:purchase-order-cancel": ("wpfm", "pm"),
    "api:purchase-order-close": ("wpfm", "pm"),
    "api:purchase-order-pdf": ("wpfm", "pm"),
    "api:purchase-order-timeline": ("wpfm", "pm"),
    "purchasing:today": ("wpfm", "wpfm"),
    "purchasing:order_list": ("wpfm", "wpfm"),
    "purchasing:order_detail": ("wpfm", "wpfm"),
    "purchasing:order_pdf": ("wpfm", "wpfm"),
    "purchasing:order_create": ("pm", "pm"),
    "purchasing:line_fill": ("pm", "pm"),
    "purchasing:order_submit": ("pm", "pm"),
    "purchasing:order_approve": ("m", "m"),
    "purchasing:order_reject": ("m", "m"),
    "purchasing:order_send": ("pm", "pm"),
    "purchasing:order_cancel": ("pm", "pm"),
    "purchasing:order_close": ("pm", "pm"),
    "purchasing:order_line_add": ("pm", "pm"),
    "purchasing:order_line_update": ("pm", "pm"),
    "purchasing:order_line_remove": ("pm", "pm"),
    "api:sales-order-line-purchase": ("spm", "spm"),
    "fulfilment:order-line-purchase": ("spm", "spm"),
    # --- receiving (purchasing) ---
    "api:receipt-list": ("wpfm", "wpm"),
    "api:receipt-detail": ("wpfm", "wpm"),
    "api:receipt-check": ("wpfm", "wpm"),
    "api:receipt-post": ("wpfm", "wpm"),
    "purchasing:receiving_tablet": ("wpm", "wpm"),
    "purchasing:receiving_tablet_count": ("wpm", "wpm"),
    "purchasing:receiving_tablet_scan": ("wpm", "wpm"),
    "purchasing:receiving_tablet_remove_line": ("wpm", "wpm"),
    "purchasing:receiving_tablet_check": ("wpm", "wpm"),
    "purchasing:receiving_tablet_post": ("wpm", "wpm"),
    "purchasing:receipts": ("wpfm", "wpfm"),
    "purchasing:receipt_detail": ("wpfm", "wpfm"),
    "purchasing:quarantine": ("wpfm", "wpfm"),
    "purchasing:quarantine_action": ("wpm", "wpm"),
    # --- receivables ---
    "api:invoice-list": ("sfm", "f"),
    "api:invoice-detail": ("sfm", "f"),
    "api:invoice-cancel": ("sfm", "f"),
    "api:payment-list": ("sfm", "f"),
    "api:payment-detail": ("sfm", "f"),
    "api:credit-note-list": ("sfm", "f"),
    "api:credit-note-detail": ("sfm", "f"),
    "api:receivables-aging": ("sfm", "sfm"),
    "api:receivables-balance": ("sfm", "sfm"),
    "api:receivables-statement": ("sfm", "sfm"),
    "finance:invoice_list": ("sfm", "sfm"),
    "finance:invoices": ("sfm", "sfm"),
    "finance:invoice_detail": ("sfm", "sfm"),
    "finance:invoice_pdf": ("sfm", "sfm"),
    "finance:invoice_cancel": ("f", "f"),
    "finance:credit_note_create": ("f", "f"),
    "finance:payment_list": ("sfm", "sfm"),
    "finance:payment_create": ("f", "f"),
    "finance:payment_open_invoices": ("f", "f"),
    "finance:aging": ("sfm", "sfm"),
    "finance:customer_statement": ("sfm", "sfm"),
    "finance:import": ("f", "f"),
    "finance:import_status": ("f", "f"),
    # --- service desk ---
    "service:support": ("!", "!"),
    "service:ticket_list": ("svm", "svm"),
    "service:ticket_create": ("vm", "vm"),
    "service:ticket_lots": ("vm", "vm"),
    "service:ticket_detail": ("svm", "svm"),
    "service:ticket_transition": ("vm", "vm"),
    "service:ticket_comment": ("vm", "vm"),
    "service:ticket_assign": ("vm", "vm"),
    "service:ticket_confirm_quality": ("vm", "vm"),
    "service:ticket_photo_add": ("vm", "vm"),
    "service:ticket_photo": ("svm", "svm"),
    "service:visit_book": ("vm", "vm"),
    "service:visit_complete": ("vm", "vm"),
    "service:visit_cancel": ("vm", "vm"),
    "service:sla_settings": ("m", "m"),
    "service:teams": ("m", "m"),
    "api:service-ticket-list": ("svm", "vm"),
    "api:service-ticket-detail": ("svm", "vm"),
    "api:service-ticket-start": ("svm", "vm"),
    "api:service-ticket-wait": ("svm", "vm"),
    "api:service-ticket-resume": ("svm", "vm"),
    "api:service-ticket-resolve": ("svm", "vm"),
    "api:service-ticket-close": ("svm", "vm"),
    "api:service-ticket-reopen": ("svm", "vm"),
    "api:service-ticket-assign": ("svm", "vm"),
    "api:service-ticket-comment": ("svm", "vm"),
    "api:service-ticket-confirm-quality": ("svm", "vm"),
    "api:service-ticket-photos": ("svm", "vm"),
    "api:service-ticket-events": ("svm", "vm"),
    "api:service-visit-list": ("svm", "vm"),
    "api:service-visit-detail": ("svm", "vm"),
    "api:service-visit-complete": ("svm", "vm"),
    "api:service-visit-cancel": ("svm", "vm"),
    "api:service-sla-target-list": ("vm", "m"),
    "api:service-sla-target-detail": ("vm", "m"),
    "api:service-holiday-list": ("vm", "m"),
    "api:service-holiday-detail": ("vm", "m"),
    "api:service-calendar-list": ("vm", "m"),
    "api:service-team-list": ("vm", "m"),
    "api:service-team-detail": ("vm", "m"),
    "api:service-engineer-list": ("vm", "m"),
    "api:service-engineer-detail": ("vm", "m"),
    "api:service-engineer-picker": ("vm", "m"),
    # --- replenishment planning ---
    "planning:suggestions": ("pm", "pm"),
    "planning:suggestions_accept": ("pm", "pm"),
    "planning:suggestions_dismiss": ("pm", "pm"),
    "planning:run": ("pm", "pm"),
    "planning:plans": ("wpm", "wpm"),
    "planning:product": ("wpm", "wpm"),
    "planning:override_set": ("pm", "pm"),
    "planning:override_clear": ("pm", "pm"),
    "planning:slow_movers": ("pm", "pm"),
    "planning:service_levels": ("pm", "pm"),
    "planning:service_level_set": ("pm", "pm"),
    "planning:settings": ("m", "m"),
    "api:planning-suggestion-list": ("pm", "pm"),
    "api:planning-suggestion-detail": ("pm", "pm"),
    "api:planning-suggestion-accept": ("pm", "pm"),
    "api:planning-suggestion-dismiss": ("pm", "pm"),
    "api:planning-plan-list": ("wpm", "wpm"),
    "api:planning-plan-detail": ("wpm", "wpm"),
    "api:planning-override-list": ("wpm", "pm"),
    "api:planning-override-detail": ("wpm", "pm"),
    "api:planning-service-level-list": ("pm", "pm"),
    "api:planning-service-level-set": ("pm", "pm"),
    "api:planning-slow-mover-list": ("pm", "pm"),
    # --- insights: the manager's figures ---
    "api:insights-figure-list": ("m", "m"),
    "api:insights-figure-detail": ("m", "m"),
    # --- insights: purchase cycles and cross-sell ---
    "selling:cycles": ("sm", "sm"),
    "selling:form_suggestions": ("sm", "sm"),
    "selling:quote_from_suggestion": ("sm", "sm"),
    "api:insights-cross-sell-list": ("sm", "sm"),
    "api:insights-co-purchase-list": ("spm", "spm"),
    "api:insights-co-purchase-detail": ("spm", "spm"),
    "api:insights-purchase-cycle-list": ("sm", "sm"),
    "api:insights-purchase-cycle-detail": ("sm", "sm"),
    "api:insights-purchase-reminder-list": ("sm", "sm"),
    "api:insights-purchase-reminder-detail": ("sm", "sm"),
    # --- after-sales quality: trace, holds, alerts, recalls ---
    "aftersales:lot_trace": ("vwpm", "vwpm"),
    "aftersales:lot_hold": ("m", "m"),
    "aftersales:lot_release": ("m", "m"),
    "aftersales:lot_recall": ("m", "m"),
    "aftersales:holds": ("vwpm", "vwpm"),
    "aftersales:alerts": ("vwpm", "vwpm"),
    "aftersales:alert_detail": ("vwpm", "vwpm"),
    "aftersales:alert_hold": ("m", "m"),
    "aftersales:alert_close": ("m", "m"),
    "aftersales:recalls": ("vwpm", "vwpm"),
    "aftersales:recall_detail": ("vwpm", "vwpm"),
    "aftersales:recall_export": ("vwpm", "vwpm"),
    "aftersales:recall_close": ("m", "m"),
    "aftersales:recall_customer_state": ("vm", "vm"),
    "api:aftersales-lot-list": ("vwpm", "m"),
    "api:aftersales-lot-detail": ("vwpm", "m"),
    "api:aftersales-lot-trace": ("vwpm", "m"),
    "api:aftersales-lot-hold": ("vwpm", "m"),
    "api:aftersales-lot-release": ("vwpm", "m"),
    "api:aftersales-lot-recall": ("vwpm", "m"),
    "api:aftersales-alert-list": ("vwpm", "m"),
    "api:aftersales-alert-detail": ("vwpm", "m"),
    "api:aftersales-alert-hold": ("vwpm", "m"),
    "api:aftersales-alert-close": ("vwpm", "m"),
    "api:aftersales-recall-list": ("vwpm", "m"),
    "api:aftersales-recall-detail": ("vwpm", "m"),
    "api:aftersales-recall-export": ("vwpm", "m"),
    "api:aftersales-recall-close": ("vwpm", "m"),
    "api:aftersales-recall-customer-state": ("vwpm", "vm"),
    # --- insights: the manager dashboard ---
    "insights:dashboard": ("m", "m"),
    "insights:export": ("m", "m"),
    # --- purchasing: suppliers ---
    "purchasing:supplier_list": ("wpfm", "wpfm"),
    "purchasing:supplier_detail": ("wpfm", "wpfm"),
    "purchasing:supplier_create": ("pm", "pm"),
    "purchasing:supplier_edit": ("pm", "pm"),
    "purchasing:supplier_active": ("pm", "pm"),
    "purchasing:supplier_contact_create": ("pm", "pm"),
    "purchasing:supplier_contact_edit": ("pm", "pm"),
    "purchasing:supplier_product_create": ("pm", "pm"),
    "purchasing:supplier_product_edit": ("pm", "pm"),
    "purchasing:supplier_product_preferred": ("pm", "pm"),
    "purchasing:supplier_price_create": ("pm", "pm"),
    "purchasing:supplier_price_edit": ("pm", "pm"),
    "purchasing:supplier_import": ("pm", "pm"),
    "purchasing:supplier_import_status": ("pm", "pm"),
    "api:supplier-list": ("wpfm", "pm"),
    "api:supplier-picker": ("wpfm", "pm"),
    "api:supplier-detail": ("wpfm", "pm"),
    "api:supplier-scorecard": ("wpfm", "pm"),
    "api:supplier-contact-list": ("wpfm", "pm"),
    "api:supplier-contact-detail": ("wpfm", "pm"),
    "api:supplier-product-list": ("wpfm", "pm"),
    "api:supplier-product-detail": ("wpfm", "pm"),
    "api:supplier-price-list": ("wpfm", "pm"),
    "api:supplier-price-detail": ("wpfm", "pm"),
    # --- payables ---
    "api:bill-list": ("pfm", "f"),
    "api:bill-detail": ("pfm", "f"),
    "api:bill-cancel": ("pfm", "f"),
    "api:bill-accept-mismatch": ("pfm", "m"),
    "api:supplier-payment-list": ("fm", "f"),
    "api:supplier-payment-detail": ("fm", "f"),
    "api:supplier-credit-note-list": ("fm", "f"),
    "api:supplier-credit-note-detail": ("fm", "f"),
    "api:payables-aging": ("fm", "fm"),
    "api:payables-statement": ("fm", "fm"),
    "finance:bill_list": ("pfm", "pfm"),
    "finance:bill_detail": ("pfm", "pfm"),
    "finance:bill_create": ("f", "f"),
    "finance:bill_billable_lines": ("f", "f"),
    "finance:bill_accept_mismatch": ("m", "m"),
    "finance:bill_cancel": ("f", "f"),
    "finance:bill_credit_note": ("f", "f"),
    "finance:supplier_payment_list": ("fm", "fm"),
    "finance:supplier_payment_create": ("f", "f"),
    "finance:supplier_payment_bills": ("f", "f"),
    "finance:ap_aging": ("fm", "fm"),
    "finance:supplier_statement": ("fm", "fm"),
    "finance:supplier_net": ("fm", "fm"),
    # --- set-up: the company profile and the wizard (issue 17) ---
    "company-profile": ("a", "a"),
    "company-image": (ALL, ALL),
    "api:api-company-profile": (ALL, "a"),
    "api:api-user-picker": (ALL, ALL),
    "setup:wizard": ("a", "a"),
    "setup:wizard_step": ("a", "a"),
    "setup:wizard_done": ("a", "a"),
    "setup:wizard_skip": ("a", "a"),
    "setup:wizard_import_status": ("a", "a"),
    "setup:wizard_finish": ("a", "a"),
}

# Routes left out: the Django admin (its own staff check), media files in DEBUG.
SKIPPED_PREFIXES = ("admin/", "^media/")
# Signed-in clients are not sent here: it would sign them out for the rest of the matrix.
NOT_SENT = {"logout"}

# Path ids: the first route fragment that matches names the object whose id fills ``pk``.
ROUTE_OBJECTS = [
    ("service/tickets", "ticket"),
    ("service/visits", "visit"),
    ("service/teams", "service_team"),
    ("service/engineers", "engineer"),
    ("suppliers", "supplier"),
    ("sales-orders", "order"),
    ("sales-order-lines", "order_line"),
    ("order-workflow", "order"),
    ("sales/orders/", "order"),
    ("fulfilment/orders/", "order"),
    ("quotes", "quote"),
    ("contacts", "contact"),
    ("customers", "customer"),
    ("receivables", "customer"),
    ("leads", "lead"),
    ("opportunit", "opportunity"),
    ("activities", "task"),
    ("tasks", "task"),
    ("products", "product"),
    ("warehouses", "warehouse"),
    ("purchase-orders", "purchase_order"),
    ("purchasing/orders/", "purchase_order"),
]
PARAM_OBJECTS = {
    "contact_pk": "contact",
    "customer_id": "customer",
    "order_pk": "order",
    "warehouse_pk": "warehouse",
    "line_pk": "purchase_order_line",
    "order_line_pk": "order_line",
}


@dataclass(frozen=True)
class Endpoint:
    name: str  # ACCESS key
    route: str  # the pattern, for messages and path filling
    callback: object
    methods: tuple[str, ...]
    api: bool


def _join(prefix: str, pattern) -> str:
    return prefix + str(pattern)


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _walk(p.url_patterns, _join(prefix, p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield _join(prefix, p.pattern), namespace + (p.name or ""), p.callback


def _view_class(callback):
    return getattr(callback, "cls", None) or getattr(callback, "view_class", None)


def endpoints() -> list[Endpoint]:
    """Every page and API operation of ``config.urls``."""
    found = []
    for route, name, callback in _walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES):
            continue
        cls = _view_class(callback)
        api = route.startswith("api/")
        if api:
            actions = getattr(callback, "actions", None)
            if actions:
                methods = tuple(m.upper() for m in actions)
            else:
                methods = tuple(
                    m.upper()
                    for m in cls.http_method_names
                    if hasattr(cls, m) and m not in {"options", "head"}
                )
            name = f"api:{name}"
        else:
            methods = ("GET", "POST")
        found.append(Endpoint(name, route, callback, methods, api))
    return found


def _letters(roles) -> str:
    return "".join(letter for letter, role in LETTERS.items() if role in roles) or "a"


def declared(endpoint: Endpoint) -> tuple[str, str] | None:
    """The roles the view itself declares, in the table's letters (None: it declares none)."""
    cls = _view_class(endpoint.callback)
    if not endpoint.api:
        roles = getattr(endpoint.callback, "allowed_roles", None)
        if roles is None and cls is not None:
            roles = getattr(cls, "allowed_roles", None)
        return None if roles is None else (_letters(roles), _letters(roles))
    if cls is None or not hasattr(cls, "allowed_roles"):
        return None
    read = cls.allowed_roles
    write = getattr(cls, "write_roles", None) or read
    actions = getattr(endpoint.callback, "actions", None) or {}
    action_roles = getattr(cls, "action_roles", {})
    for method, action in actions.items():
        if action in action_roles:
            if method.upper() in SAFE_METHODS:
                read = action_roles[action]
            else:
                write = action_roles[action]
    return _letters(read), _letters(write)


def _granted(spec: str, role: str | None) -> bool:
    """Does the table's ``spec`` grant ``role`` (None: anonymous; "": signed in, no role)?"""
    if spec == "!":
        return True
    if role is None:
        return False
    if spec == "+":
        return True
    if role == "admin":
        return True
    return bool(role) and any(LETTERS[letter] == role for letter in spec if letter in LETTERS)


def _object_for(endpoint: Endpoint, param: str) -> str | None:
    if param in PARAM_OBJECTS:
        return PARAM_OBJECTS[param]
    for fragment, key in ROUTE_OBJECTS:
        if fragment in endpoint.route:
            return key
    return None


PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def path_of(endpoint: Endpoint, ids: dict) -> str:
    def fill(match):
        param = match.group(1) or match.group(2)
        if param == "action":
            return "cancel"
        if match.group(0).startswith("<uuid:"):
            return "00000000-0000-4000-8000-000000000000"
        key = _object_for(endpoint, param)
        return str(ids.get(key, MISSING_ID))

    path = PARAM.sub(fill, endpoint.route)
    return "/" + path.replace("^", "").replace("$", "")


def _row_fingerprint() -> dict:
    """Every table's rows, except the audit log (a refusal is audited) and the session and
    login-attempt tables (signing in writes them)."""
    skip = {
        "core_auditlog",
        "django_session",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
    }
    state = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            if table in skip or model._meta.proxy or not model._meta.managed:
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the models)
            state[table] = sorted(map(repr, cursor.fetchall()))
    return state


def _changed(before: dict, after: dict) -> list[str]:
    return [table for table in after if before.get(table) != after[table]]


@pytest.fixture
def world(db):
    """One user per role, and the objects path ids point at (a sales rep's records)."""
    from crm.sales.orders import quote_services
    from crm.sales.orders import services as order_services
    from tests.crm.sales.factories import (
        ContactFactory,
        CustomerFactory,
        LeadFactory,
        OpportunityFactory,
        TaskFactory,
    )
    from tests.factories import UserFactory
    from tests.scm.inventory.factories import ProductFactory, WarehouseFactory
    from tests.scm.purchasing.factories import SupplierFactory

    users = {role: UserFactory(username=f"matrix-{role}", roles=[role]) for role in ALL_ROLES}
    users[""] = UserFactory(username="matrix-nobody")
    rep = users["sales"]
    customer = CustomerFactory(owner=rep, credit_limit=0)
    product = ProductFactory()
    line = [{"product": product, "quantity": "1"}]
    ids = {
        "customer": customer.pk,
        "contact": ContactFactory(customer=customer).pk,
        "lead": LeadFactory(owner=rep).pk,
        "opportunity": OpportunityFactory(customer=customer).pk,
        "task": TaskFactory(customer=customer).pk,
        "product": product.pk,
        "warehouse": WarehouseFactory().pk,
        "quote": quote_services.quote_create(customer=customer, owner=rep, lines=line).pk,
        "order": order_services.order_create(customer=customer, owner=rep, lines=line).pk,
        "supplier": SupplierFactory().pk,
    }
    from tests.scm.purchasing.factories import PurchaseOrderFactory, PurchaseOrderLineFactory

    purchase_order = PurchaseOrderFactory(owner=users["purchasing"], state="draft")
    ids["purchase_order"] = purchase_order.pk
    from crm.sales.models import SalesOrderLine

    ids["order_line"] = SalesOrderLine.objects.filter(order_id=ids["order"]).first().pk
    ids["purchase_order_line"] = PurchaseOrderLineFactory(order=purchase_order, product=product).pk
    from crm.service.models import Visit
    from tests.crm.service.factories import EngineerFactory, TicketFactory

    engineer = EngineerFactory()
    ticket = TicketFactory(
        customer=customer, category="installation", assignee=engineer.user, team=engineer.team
    )
    ids["ticket"] = ticket.pk
    ids["service_team"] = engineer.team_id
    ids["engineer"] = engineer.pk
    ids["visit"] = Visit.objects.create(
        ticket=ticket,
        engineer=engineer.user,
        starts_at=ticket.opened_at,
        ends_at=ticket.opened_at + timedelta(hours=2),
    ).pk
    return users, ids


def test_the_table_lists_every_route_and_no_other():
    names = {e.name for e in endpoints()}
    assert sorted(names - set(ACCESS)) == [], "routes the permission table does not list"
    assert sorted(set(ACCESS) - names) == [], "table entries for routes that do not exist"


def test_every_view_declares_the_roles_the_table_grants():
    wrong = {}
    for endpoint in endpoints():
        mine = declared(endpoint)
        expected = ACCESS[endpoint.name]
        if mine is None:
            if expected[0] not in {"!", "+"} and endpoint.name not in {
                "api:api-root",
                "api:api-schema",
                "api:api-docs",
            }:
                wrong[endpoint.name] = ("declares no roles", expected)
        elif mine != expected:
            wrong[endpoint.name] = (mine, expected)
    assert wrong == {}


def _clients(users):
    clients = {None: (Client(raise_request_exception=False), APIClient(raise_request_exception=False))}
    for role, user in users.items():
        page, api = Client(raise_request_exception=False), APIClient(raise_request_exception=False)
        page.force_login(user)
        api.force_authenticate(user)
        clients[role] = (page, api)
    return clients


def _send(client, method: str, path: str):
    if method == "GET":
        return client.get(path)
    return getattr(client, method.lower())(
        path, data={}, **({"format": "json"} if isinstance(client, APIClient) else {})
    )


def _refused(response, role, api: bool) -> bool:
    if role is None:
        if api:
            return response.status_code in {401, 403, 405}
        return response.status_code in {401, 403, 405} or (
            response.status_code == 302 and "/accounts/login/" in response["Location"]
        )
    return response.status_code in {403, 405}


# The table walked in parts, so that parallel test processes share it.
PARTS = 4


@pytest.mark.parametrize("part", range(PARTS), ids=[f"part{n + 1}of{PARTS}" for n in range(PARTS)])
def test_every_role_reaches_only_what_the_table_grants_and_a_refused_write_changes_nothing(world, part):
    users, ids = world
    clients = _clients(users)
    roles = [None, "", *ALL_ROLES]
    problems = []
    for endpoint in endpoints()[part::PARTS]:
        path = path_of(endpoint, ids)
        read_spec, write_spec = ACCESS[endpoint.name]
        for method in endpoint.methods:
            write = method not in SAFE_METHODS
            spec = write_spec if write else read_spec
            sent = [r for r in roles if r is None or endpoint.name not in NOT_SENT]
            refused = [r for r in sent if not _granted(spec, r)]
            # The refused first, between two looks at every table; then those granted.
            before = _row_fingerprint() if write and refused else None
            for role in refused:
                response = _send(clients[role][1 if endpoint.api else 0], method, path)
                if not _refused(response, role, endpoint.api):
                    who = role if role is not None else "anonymous"
                    problems.append(f"{who} not refused: {method} {path} → {response.status_code}")
            if before is not None:
                changed = _changed(before, _row_fingerprint())
                if changed:
                    problems.append(f"refused but wrote {changed}: {method} {path}")
            for role in sent:
                if role in refused:
                    continue
                denials = AuditLog.objects.filter(action="permission.denied").count()
                _send(clients[role][1 if endpoint.api else 0], method, path)
                if AuditLog.objects.filter(action="permission.denied").count() != denials:
                    who = role if role is not None else "anonymous"
                    problems.append(f"{who} refused by the role check: {method} {path}")
    assert problems == []
