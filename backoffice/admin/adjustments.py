"""Manual adjustments in the admin: the credit/debit form (one idempotency key per form shown),
the ledger's ADJUSTMENT entries, and the adjustment requests with their approve and reject
pages. The pages only call `backoffice.adjustments`; the rules live there."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, reverse
from unfold.admin import ModelAdmin
from unfold.widgets import UnfoldAdminRadioSelectWidget

from backoffice.adjustments import (
    APPROVE_PERMISSION,
    AdjustmentRefused,
    adjustment_approve,
    adjustment_outcome,
    adjustment_reject,
    adjustment_submit,
    approval_thresholds,
)
from backoffice.admin_filters import DateRangeFilter
from backoffice.admin_helpers import (
    ReasonForm,
    ThemedFormMixin,
    admin_link,
    money_column,
    object_urls,
    request_staff,
)
from backoffice.models import AdjustmentRequest, AdjustmentStatus, ManualAdjustment
from backoffice.paging import LargeTableAdminMixin
from platform_wallet.models import LedgerEntry, Wallet


class ManualAdjustmentForm(ThemedFormMixin, forms.Form):
    CREDIT = "credit"
    DEBIT = "debit"

    wallet = forms.ModelChoiceField(queryset=Wallet.objects.select_related("player"))
    direction = forms.ChoiceField(
        choices=[(CREDIT, "Credit (add money to the wallet)"), (DEBIT, "Debit (take money)")],
        widget=UnfoldAdminRadioSelectWidget,
    )
    amount = forms.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="Positive, in the wallet's currency, at most 2 decimals.",
    )
    reason = forms.CharField(
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Required: why the money moves (kept in the ledger entry).",
    )
    # The idempotency key: generated when the form is shown, sent back with it. The same form
    # sent twice (double-click, two tabs) is one adjustment: the database holds the key.
    request_id = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, admin_site: admin.AdminSite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = forms.ModelChoiceField(
            queryset=Wallet.objects.select_related("player"),
            widget=AutocompleteSelect(LedgerEntry._meta.get_field("wallet"), admin_site),
            help_text="Search by the player's user id or user name.",
        )
        field.label_from_instance = lambda w: (  # type: ignore[method-assign, assignment]
            f"{w.player.user_id} ({w.player.user_name}) {w.currency}: {w.balance}"
        )
        self.fields["wallet"] = field

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("A reason is required.")
        return reason

    def signed_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        return amount if self.cleaned_data["direction"] == self.CREDIT else -amount


@admin.register(ManualAdjustment)
class ManualAdjustmentAdmin(LargeTableAdminMixin, ModelAdmin):
    """The ledger's ADJUSTMENT entries. "Add" is the adjustment form: it calls the adjustment
    service; an entry, once written, is never changed or deleted."""

    list_display = [
        "created_at",
        "player",
        "amount_money",
        "balance_after_money",
        "reason",
        "created_by",
        "approved_by",
    ]
    list_filter = [("created_at", DateRangeFilter), "wallet__currency", "created_by"]
    user_id_path = "wallet__player"
    ordering = ["-created_at", "-pk"]  # the partial index entry_adjustment_created
    search_fields = ["=wallet__player__user_id", "wallet__player__user_name", "reason"]
    search_help_text = "Player's user id (exact), user name, or words of the reason."
    list_select_related = ["wallet__player", "created_by", "approved_by"]
    fields = readonly_fields = (
        "wallet_link",
        "amount_money",
        "balance_after_money",
        "reason",
        "created_by",
        "approved_by",
        "created_at",
    )
    amount_money = money_column("amount", "wallet.currency", description="amount")
    balance_after_money = money_column(
        "balance_after", "wallet.currency", description="balance after"
    )

    @admin.display(description="player", ordering="wallet__player__user_id")
    def player(self, obj: ManualAdjustment) -> str:
        return admin_link(obj.wallet.player)

    @admin.display(description="currency")
    def currency(self, obj: ManualAdjustment) -> str:
        return obj.wallet.currency

    @admin.display(description="wallet")
    def wallet_link(self, obj: ManualAdjustment) -> str:
        return admin_link(obj.wallet)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("backoffice.adjust_wallet")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = ManualAdjustmentForm(request.POST, admin_site=self.admin_site)
        else:
            form = ManualAdjustmentForm(
                initial={"wallet": request.GET.get("wallet"), "request_id": uuid.uuid4().hex},
                admin_site=self.admin_site,
            )
        if request.method == "POST" and form.is_valid():
            wallet: Wallet = form.cleaned_data["wallet"]
            try:
                submitted = adjustment_submit(
                    wallet=wallet,
                    amount=form.signed_amount(),
                    reason=form.cleaned_data["reason"],
                    staff=request_staff(request),
                    idempotency_key=form.cleaned_data["request_id"],
                )
            except AdjustmentRefused as error:
                form.add_error(None, str(error))
            else:
                return self._submitted(request, submitted.request, replayed=submitted.replayed)
        context = {
            **self.admin_site.each_context(request),
            "title": "Manual adjustment",
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
            "thresholds": approval_thresholds(),
        }
        return TemplateResponse(request, "admin/backoffice/manual_adjustment_form.html", context)

    def _submitted(
        self, request: HttpRequest, adjustment: AdjustmentRequest, *, replayed: bool
    ) -> HttpResponse:
        outcome = adjustment_outcome(adjustment)
        if replayed:
            self.message_user(
                request,
                f"This adjustment was already submitted (the form was sent twice); nothing "
                f"more moved. {outcome}",
                messages.WARNING,
            )
        else:
            self.log_addition(
                request,
                adjustment,
                f"{adjustment.amount} {adjustment.currency}: {adjustment.reason}",
            )
            applied = adjustment.status == AdjustmentStatus.APPLIED
            self.message_user(request, outcome, messages.SUCCESS if applied else messages.INFO)
        if adjustment.status == AdjustmentStatus.APPLIED:
            return HttpResponseRedirect(reverse("admin:backoffice_manualadjustment_changelist"))
        return HttpResponseRedirect(
            reverse("admin:backoffice_adjustmentrequest_change", args=[adjustment.pk])
        )


@admin.register(AdjustmentRequest)
class AdjustmentRequestAdmin(ModelAdmin):
    """Every adjustment as submitted: applied at once, pending a second person, or rejected.
    View-only; a pending one is approved or rejected on its own pages."""

    list_display = [
        "requested_at",
        "player",
        "amount_money",
        "reason",
        "requested_by",
        "status",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "needs_approval", "wallet__currency", "requested_by"]
    search_fields = ["=wallet__player__user_id", "wallet__player__user_name", "reason"]
    search_help_text = "Player's user id (exact), user name, or words of the reason."
    list_select_related = ["wallet__player", "requested_by", "decided_by"]
    fields = readonly_fields = (
        "wallet_link",
        "amount_money",
        "reason",
        "requested_by",
        "requested_at",
        "needs_approval",
        "status",
        "decided_by",
        "decided_at",
        "rejection_reason",
        "entry_link",
        "idempotency_key",
    )
    amount_money = money_column("amount", "wallet.currency", description="amount")

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # a player's adjustments, linked from the player's page
        return lookup == "wallet__player__id__exact" or super().lookup_allowed(
            lookup, value, request
        )

    @admin.display(description="player", ordering="wallet__player__user_id")
    def player(self, obj: AdjustmentRequest) -> str:
        return admin_link(obj.wallet.player)

    @admin.display(description="currency")
    def currency(self, obj: AdjustmentRequest) -> str:
        return obj.wallet.currency

    @admin.display(description="wallet")
    def wallet_link(self, obj: AdjustmentRequest) -> str:
        return admin_link(obj.wallet)

    @admin.display(description="ledger entry")
    def entry_link(self, obj: AdjustmentRequest) -> str:
        return admin_link(obj.entry)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the manual adjustment form submits them

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(APPROVE_PERMISSION)

    def get_urls(self) -> list[URLPattern]:
        urls = object_urls(self, approve=self.approve_view, reject=self.reject_view)
        return [*urls, *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        pending = obj is not None and obj.status == AdjustmentStatus.PENDING
        mine = obj is not None and obj.requested_by_id == request.user.pk
        extra_context = {
            **(extra_context or {}),
            "can_approve": pending and not mine and self.has_approve_permission(request),
            "can_reject": pending and (mine or self.has_approve_permission(request)),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET: what approving moves; POST: approve (the service decides, once)."""
        if not self.has_approve_permission(request):
            raise PermissionDenied
        adjustment = self._adjustment(object_id)
        if request.method == "POST":
            try:
                adjustment = adjustment_approve(
                    request_pk=adjustment.pk, staff=request_staff(request)
                )
            except AdjustmentRefused as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.log_change(request, adjustment, "Approved: the money moved.")
                self.message_user(
                    request, f"Approved. {adjustment_outcome(adjustment)}", messages.SUCCESS
                )
            return HttpResponseRedirect(
                reverse("admin:backoffice_adjustmentrequest_change", args=[adjustment.pk])
            )
        return self._decision_page(request, adjustment, "Approve the adjustment", None)

    def reject_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET: the reason form; POST: reject with the reason."""
        adjustment = self._adjustment(object_id)
        mine = adjustment.requested_by_id == request.user.pk
        if not (mine or self.has_approve_permission(request)):
            raise PermissionDenied
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                adjustment = adjustment_reject(
                    request_pk=adjustment.pk,
                    staff=request_staff(request),
                    reason=form.cleaned_data["reason"],
                )
            except AdjustmentRefused as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.log_change(request, adjustment, f"Rejected: {adjustment.rejection_reason}")
                self.message_user(request, adjustment_outcome(adjustment), messages.SUCCESS)
            return HttpResponseRedirect(
                reverse("admin:backoffice_adjustmentrequest_change", args=[adjustment.pk])
            )
        return self._decision_page(request, adjustment, "Reject the adjustment", form)

    def _adjustment(self, object_id: str) -> AdjustmentRequest:
        return get_object_or_404(
            AdjustmentRequest.objects.select_related("wallet__player", "requested_by"),
            pk=object_id,
        )

    def _decision_page(
        self,
        request: HttpRequest,
        adjustment: AdjustmentRequest,
        title: str,
        form: forms.Form | None,
    ) -> HttpResponse:
        wallet = adjustment.wallet
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "original": adjustment,
            "adjustment": adjustment,
            "balance_now": wallet.balance,
            "balance_after": wallet.balance + adjustment.amount,
            "form": form,
            "pending": adjustment.status == AdjustmentStatus.PENDING,
            "mine": adjustment.requested_by_id == request.user.pk,
        }
        return TemplateResponse(request, "admin/backoffice/adjustment_decision.html", context)
