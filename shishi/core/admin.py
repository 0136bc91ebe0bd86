"""The small kit every Shishi admin uses:

- nothing is hard-deleted: no delete permission, no "delete selected" action;
- django-simple-history's "revert" is refused: an old version saved back
  would bypass the lifecycle (it would even let a view-only user write);
- "add" goes through a plain form whose data a service function turns into an
  object, so the admin never re-implements a service's checks;
- a change saves only the fields the form changed, onto a freshly locked row,
  so a stale form never writes back a status that moved meanwhile;
- actions call services one object at a time and report each success and
  each refusal, and a refusal for one object does not stop the others.
"""

from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from shishi.core.lifecycle import save_with_history
from shishi.core.views import add_service_errors, refusal_text


def apply_service(
    modeladmin: admin.ModelAdmin,
    request,
    objects: Iterable[models.Model],
    call: Callable[[models.Model], object],
    done: str,
    **params,
) -> int:
    """Call `call(obj)` for each object (each call is its own transaction).
    `done` is a message with %(object)s and any `params`. Returns how many
    succeeded."""
    succeeded = 0
    for obj in objects:
        try:
            call(obj)
        except (ValidationError, PermissionDenied) as error:
            modeladmin.message_user(
                request,
                gettext("%(object)s: %(refusal)s")
                % {"object": obj, "refusal": refusal_text(error)},
                level=messages.ERROR,
            )
        else:
            succeeded += 1
            modeladmin.message_user(
                request, done % {"object": obj, **params}, level=messages.SUCCESS
            )
    return succeeded


def action_form_data(modeladmin: admin.ModelAdmin, request) -> dict:
    """The extra fields of the admin's action form (a reason, a unit…), cleaned."""
    form = modeladmin.action_form(request.POST, auto_id=None)
    form.fields["action"].choices = modeladmin.get_action_choices(request)
    form.is_valid()
    return form.cleaned_data


def save_changed_fields(request, obj: models.Model, form: forms.ModelForm, reason: str) -> None:
    """Save a change made in an admin form: only the fields the form changed,
    copied onto the row locked afresh, with the history saying who and why."""
    model = type(obj)
    concrete = {f.name: f for f in model._meta.concrete_fields}
    changed = [concrete[name] for name in form.changed_data if name in concrete]
    with transaction.atomic():
        fresh = model._default_manager.select_for_update().get(pk=obj.pk)
        for field in changed:
            setattr(fresh, field.attname, getattr(obj, field.attname))
        if changed:
            save_with_history(fresh, actor=request.user, reason=reason)
    for field in concrete.values():
        setattr(obj, field.attname, getattr(fresh, field.attname))


class NoDeleteMixin:
    """Nothing is hard-deleted by a user action: deactivate, cancel or close."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ShishiAdmin(NoDeleteMixin, admin.ModelAdmin):
    pass


class ShishiHistoryAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """The admin for models with `history`: their history is shown, never reverted."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(gettext("Old versions are shown, never saved back."))
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAddMixin:
    """The admin's "add" page shows `add_form` (a plain form) and hands its
    cleaned data to `create_from_form`, which calls the service. A refusal
    (ValidationError, PermissionDenied) is shown on the form."""

    add_form: type[forms.Form]

    def get_add_form(self, request) -> type[forms.Form]:
        return self.add_form

    def create_from_form(self, request, form: forms.Form) -> models.Model:
        raise NotImplementedError

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
        if to_field and not self.to_field_allowed(request, to_field):
            raise DisallowedModelAdminToField(f"The field {to_field} cannot be referenced.")
        form_class = self.get_add_form(request)
        if request.method == "POST":
            form = form_class(request.POST, request.FILES)
            if form.is_valid():
                try:
                    obj = self.create_from_form(request, form)
                except (ValidationError, PermissionDenied) as error:
                    add_service_errors(form, error)
                else:
                    self.log_addition(request, obj, [{"added": {}}])
                    return self.response_add(request, obj)
        else:
            form = form_class(initial=dict(request.GET.items()))
        for field in form.fields.values():
            # The labels are the models' lower-case verbose names; the admin capitalises.
            field.label = capfirst(field.label)
        is_popup = IS_POPUP_VAR in request.POST or IS_POPUP_VAR in request.GET
        fieldsets = [(None, {"fields": list(form.fields)})]
        admin_form = helpers.AdminForm(form, fieldsets, {}, model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Add %s") % self.opts.verbose_name,
            "subtitle": None,
            "adminform": admin_form,
            "object_id": None,
            "original": None,
            "is_popup": is_popup,
            "to_field": to_field,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, form_url=form_url)
