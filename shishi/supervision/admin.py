from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import SupervisionOrder
from .services import order_issue


class IssueForm(forms.ModelForm):
    """Issuing an order by hand; the service checks and writes it."""

    answer_due = forms.DateTimeField(
        label=_("answer due"),
        required=False,
        help_text=_("Empty: the default number of days from now."),
    )

    class Meta:
        model = SupervisionOrder
        fields = ["item", "appeal", "unit", "reason", "answer_due"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].required = False
            self.fields["unit"].help_text = _("Empty: the item's lead unit.")

    def clean(self):
        data = super().clean()
        item, appeal = data.get("item"), data.get("appeal")
        if bool(item) == bool(appeal):
            raise ValidationError(_("A supervision order is about one item or one appeal."))
        # What order_issue would refuse, said here next to the field.
        lead = item or appeal.item
        if not data.get("unit") and (lead is None or lead.lead_unit_id is None):
            self.add_error("unit", _("Name the unit that must answer."))
        subject = {"item": item} if item else {"appeal": appeal}
        if SupervisionOrder.objects.open().filter(**subject).exists():
            raise ValidationError(
                _("An order on this is still open; close it before issuing another.")
            )
        return data

    def _post_clean(self):
        # The model's own checks (answer due, supervisor) are the service's to make.
        pass


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(SimpleHistoryAdmin):
    # Orders change only on their page (the lifecycle); here they are read or issued.
    list_display = ["__str__", "status", "unit", "supervisor", "answer_due", "issued_at"]
    list_filter = ["status"]
    list_select_related = ["item", "appeal", "unit", "supervisor"]
    raw_id_fields = ["item", "appeal", "unit", "supervisor", "issued_by", "answered_by"]
    date_hierarchy = "issued_at"
    form = IssueForm

    def has_add_permission(self, request):
        return request.user.has_perm("supervision.manage_supervisionorder")

    def has_change_permission(self, request, obj=None):
        return obj is None and self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        if obj is None:
            return IssueForm.Meta.fields
        return super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        order = order_issue(
            actor=request.user,
            item=form.cleaned_data.get("item"),
            appeal=form.cleaned_data.get("appeal"),
            unit=form.cleaned_data.get("unit"),
            reason=form.cleaned_data["reason"],
            answer_due=form.cleaned_data.get("answer_due"),
        )
        obj.pk = order.pk
