"""REST API tokens in the admin: listed by account and prefix (never a key),
made on a plain form that shows the new key once, deleted to revoke."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from shishi.core.admin import ServiceAddMixin

from .models import ApiToken
from .services import api_token_create

# DRF's own admin lists the clear keys of its Token table; that table is empty
# now (migration api 0002), and nothing of it should be shown or edited.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


class ApiTokenAddForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("user"),
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True),
        help_text=_("A new token replaces the account's old one."),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAddMixin, admin.ModelAdmin):
    add_form = ApiTokenAddForm
    list_display = ["user", "prefix", "created_at"]
    search_fields = ["user__username", "prefix"]
    fields = ["user", "prefix", "created_at"]
    readonly_fields = fields

    def create_from_form(self, request, form):
        user = form.cleaned_data["user"]
        raw = api_token_create(user=user)
        messages.warning(
            request,
            gettext("The API token of “%(user)s” is shown only now: %(key)s")
            % {"user": user, "key": raw},
        )
        return ApiToken.objects.get(user=user)

    def has_change_permission(self, request, obj=None):
        return False
