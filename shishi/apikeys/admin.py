"""Keys are created on a plain form (the key is shown once, in a message) and
revoked with an action; nothing else about a key is edited but its limit."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shishi.core.admin import (
    ServiceAddMixin,
    ShishiHistoryAdmin,
    apply_service,
    save_changed_fields,
)

from .models import NAME_MAX, ApiKey
from .services import apikey_create, apikey_forget, apikey_revoke


class ApiKeyAddForm(forms.Form):
    name = forms.CharField(label=_("client name"), max_length=NAME_MAX)
    rate_per_minute = forms.IntegerField(
        label=_("requests per minute"),
        min_value=1,
        required=False,
        help_text=_("Empty: the installation's default."),
    )


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceAddMixin, ShishiHistoryAdmin):
    add_form = ApiKeyAddForm
    list_display = ["name", "prefix", "rate_per_minute", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    readonly_fields = ["name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    fields = [*readonly_fields, "rate_per_minute"]
    actions = ["revoke"]

    def create_from_form(self, request, form):
        key, raw = apikey_create(
            name=form.cleaned_data["name"],
            rate_per_minute=form.cleaned_data["rate_per_minute"],
            actor=request.user,
        )
        messages.warning(
            request,
            gettext("The API key for “%(name)s” is shown only now; give it to the client: %(key)s")
            % {"name": key.name, "key": raw},
        )
        return key

    def save_model(self, request, obj, form, change):
        save_changed_fields(request, obj, form, reason="edited in admin")
        apikey_forget(obj)  # the new limit applies from the next request

    @admin.action(description=_("Revoke the selected API keys"), permissions=["change"])
    def revoke(self, request, queryset):
        apply_service(
            self,
            request,
            queryset,
            lambda key: apikey_revoke(key=key, actor=request.user),
            gettext("Revoked the API key “%(object)s”."),
        )
