"""Operator accounts in the backoffice: ids and PLATFORM hosts, the IP allow-list and its
opt-out standing out, the secret key masked and replaced only through "Rotate secret key"
(`operators.services.operator_secret_rotate`). An operator is never deleted (deactivate it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern
from django.utils.html import format_html
from unfold.admin import ModelAdmin

from backoffice.admin_helpers import (
    ThemedFormMixin,
    admin_url,
    mask_secret,
    object_urls,
    request_staff,
)
from operators.models import Operator
from operators.services import (
    AccountRefused,
    check_allowed_ips,
    check_network_access,
    check_platform_url,
    operator_saved,
    operator_secret_rotate,
)


class _OperatorNetworkForm(forms.ModelForm):
    """The checks `operator_upsert` makes: PLATFORM hosts, the allow-list, and the allow-list
    and its opt-out excluding each other."""

    def clean_allowed_ips(self) -> str:
        try:
            return check_allowed_ips(self.cleaned_data["allowed_ips"])
        except AccountRefused as error:
            raise forms.ValidationError(f"Not an IP address or network: {error}") from None

    def clean_api_host(self) -> str:
        return _clean_url("api_host", self.cleaned_data["api_host"])

    def clean_launch_host(self) -> str:
        return _clean_url("launch_host", self.cleaned_data["launch_host"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            check_network_access(
                allowed_ips=data.get("allowed_ips") or "",
                allow_any_address=bool(data.get("allow_any_address")),
            )
        except AccountRefused as error:
            raise forms.ValidationError(str(error)) from None
        return data


def _clean_url(name: str, value: str) -> str:
    try:
        return check_platform_url(name, value or "")
    except AccountRefused as error:
        raise forms.ValidationError(str(error)) from None


class OperatorAddForm(ThemedFormMixin, _OperatorNetworkForm):
    secret_key = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        min_length=8,
        help_text="The secret key the PLATFORM issued for this operator id. "
        "It is never shown again.",
    )

    class Meta:
        model = Operator
        fields = [
            "operator_id",
            "name",
            "secret_key",
            "api_host",
            "launch_host",
            "is_active",
            "allowed_ips",
            "allow_any_address",
        ]


class OperatorChangeForm(_OperatorNetworkForm):
    class Meta:
        model = Operator
        fields = [
            "name",
            "api_host",
            "launch_host",
            "is_active",
            "allowed_ips",
            "allow_any_address",
        ]


class RotateSecretForm(ThemedFormMixin, forms.Form):
    secret_key = forms.CharField(
        label="New secret key",
        min_length=8,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    secret_key_again = forms.CharField(
        label="New secret key (again)",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("secret_key") and data.get("secret_key") != data.get("secret_key_again"):
            raise forms.ValidationError("The two secret keys differ.")
        if "|" in (data.get("secret_key") or ""):
            raise forms.ValidationError("A secret key must not contain '|'.")
        return data


@admin.register(Operator)
class OperatorAdmin(ModelAdmin):
    list_display = [
        "operator_id",
        "name",
        "api_host",
        "launch_host",
        "is_active",
        "network_access",
        "secret_masked",
        "updated_at",
    ]
    list_filter = ["is_active", "allow_any_address"]
    search_fields = ["operator_id", "name"]
    readonly_fields = ["secret_masked", "created_at", "updated_at"]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"  # a host typed without a scheme is https
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="secret key")
    def secret_masked(self, obj: Operator) -> str:
        return mask_secret(obj.secret_key)

    @admin.display(description="calls accepted from")
    def network_access(self, obj: Operator) -> str:
        """The IP allow-list's state; the opt-out and a missing list stand out (issue 10)."""
        if obj.allow_any_address:
            return format_html('<strong class="errornote">{}</strong>', "⚠ any address (opt-out)")
        if not obj.allowed_ips.strip():
            return format_html(
                '<strong class="errornote">{}</strong>', "⚠ no allow-list: refused in production"
            )
        return "allow-list"

    def get_form(
        self, request: HttpRequest, obj: Operator | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        kwargs["form"] = OperatorChangeForm if obj is not None else OperatorAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Operator | None = None) -> Any:
        if obj is None:
            return [
                (None, {"fields": ["operator_id", "name", "secret_key", "is_active"]}),
                (
                    "PLATFORM",
                    {"fields": ["api_host", "launch_host", "allowed_ips", "allow_any_address"]},
                ),
            ]
        return [
            (None, {"fields": ["name", "is_active", "secret_masked"]}),
            (
                "PLATFORM",
                {"fields": ["api_host", "launch_host", "allowed_ips", "allow_any_address"]},
            ),
            ("History", {"fields": ["created_at", "updated_at"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Operator | None = None) -> Any:
        return ["operator_id", *self.readonly_fields] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Operator | None = None) -> bool:
        return False  # players, sessions and transactions belong to it: deactivate instead

    def save_model(self, request: HttpRequest, obj: Operator, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        operator_saved(operator=obj)

    def has_rotate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("backoffice.rotate_operator_secret")

    def get_urls(self) -> list[URLPattern]:
        return [*object_urls(self, rotate_secret=self.rotate_secret_view), *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_rotate": self.has_rotate_permission(request)}
        if request.method == "GET":
            operator = self.get_object(request, object_id)
            if operator is not None and operator.allow_any_address:
                self.message_user(
                    request,
                    f"{operator.operator_id} accepts gameplay calls from ANY address (allow "
                    "any address): its signatures do not cover the request data, so only a "
                    "private link the PLATFORM alone reaches makes this safe.",
                    messages.WARNING,
                )
            elif operator is not None and not operator.allowed_ips.strip():
                self.message_user(
                    request,
                    f"{operator.operator_id} has no IP allow-list: in production its gameplay "
                    "calls are refused (HTTP 403) until one is set.",
                    messages.WARNING,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def rotate_secret_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_rotate_permission(request):
            raise PermissionDenied
        operator = get_object_or_404(Operator, pk=object_id)
        form = RotateSecretForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            operator_secret_rotate(
                operator=operator,
                secret_key=form.cleaned_data["secret_key"],
                staff=request_staff(request),
            )
            self.log_change(request, operator, "Rotated the secret key.")
            self.message_user(
                request,
                f"The secret key of {operator.operator_id} was replaced; the wallet verifies "
                "calls with the new one from now on.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(admin_url(operator))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Rotate the secret key of {operator.operator_id}",
            "opts": self.opts,
            "original": operator,
            "form": form,
            "secret_masked": mask_secret(operator.secret_key),
        }
        return TemplateResponse(request, "admin/operators/operator/rotate_secret.html", context)
