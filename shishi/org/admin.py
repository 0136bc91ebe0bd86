"""Admin for units, people and memberships."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from shishi.core.admin import (
    NoDeleteMixin,
    ServiceAddMixin,
    ShishiHistoryAdmin,
    save_changed_fields,
)
from shishi.core.lifecycle import save_with_history

from .models import Membership, Unit, UnitKind, User
from .services import unit_create

# ---------------------------------------------------------------- units


class UnitAddForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=UnitKind.choices)
    parent = forms.ModelChoiceField(
        label=_("parent unit"), queryset=Unit.objects.active(), required=False
    )
    is_participating = forms.BooleanField(
        label=_("participating unit"), required=False, initial=True
    )


@admin.register(Unit)
class UnitAdmin(ServiceAddMixin, ShishiHistoryAdmin):
    add_form = UnitAddForm
    list_display = ["name", "kind", "path", "is_participating", "is_active"]
    list_filter = ["kind", "is_participating", "is_active"]
    search_fields = ["name", "parent__name"]
    # Deep enough for district › street › community without a query per row.
    list_select_related = ["parent__parent__parent"]
    fields = ["name", "kind", "parent", "is_participating", "is_active"]
    # Moving a unit in the tree would need the service's parent-kind rules.
    readonly_fields = ["kind", "parent"]

    @admin.display(description=_("place in the tree"))
    def path(self, unit: Unit) -> str:
        return " › ".join(u.name for u in reversed([unit, *unit.ancestors()]))

    def create_from_form(self, request, form):
        return unit_create(actor=request.user, **form.cleaned_data)

    def save_model(self, request, obj, form, change):
        save_changed_fields(request, obj, form, reason="edited in admin")


# ---------------------------------------------------------------- people


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    can_delete = False
    autocomplete_fields = ["unit"]
    fields = ["unit", "position"]


@admin.register(User)
class UserAdmin(NoDeleteMixin, DjangoUserAdmin):
    fieldsets = [
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "email")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    ]
    list_display = ["username", "full_name", "email", "phone", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "memberships__unit__kind"]
    search_fields = ["username", "full_name", "email", "phone"]
    ordering = ["username"]
    inlines = [MembershipInline]

    # Only a superuser makes (or unmakes) superusers, and only a superuser
    # changes a superuser's account (its password included): otherwise a staff
    # administrator could tick the box on their own account, or take over a
    # superuser's by setting its password.
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if obj.is_superuser and not request.user.is_superuser:
            raise PermissionDenied
        super().save_model(request, obj, form, change)


# The role groups (roles.py) are referenced by name and by kind policies: keep them.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(NoDeleteMixin, DjangoGroupAdmin):
    pass


@admin.register(Membership)
class MembershipAdmin(ShishiHistoryAdmin):
    list_display = ["user", "unit", "position"]
    list_filter = ["unit__kind"]
    search_fields = ["user__username", "user__full_name", "unit__name"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]

    def get_readonly_fields(self, request, obj=None):
        # A membership names a person and a unit; only the position changes.
        return ["user", "unit"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            save_changed_fields(request, obj, form, reason="edited in admin")
        else:
            save_with_history(obj, actor=request.user, reason="created in admin")
