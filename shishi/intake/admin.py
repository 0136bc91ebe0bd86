"""Admin for collection events, appeals and the notices owed to submitters.

An appeal is never edited in a form: its status moves only through the actions
below, which call the intake services. Submitters' contact data (name, phone,
e-mail, account) is shown only to staff with `intake.view_submitter_contact`."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shishi.categories.models import Category
from shishi.core.admin import (
    ReadOnlyInline,
    ServiceAddMixin,
    ShishiAdmin,
    ShishiHistoryAdmin,
    action_form_data,
    apply_service,
    save_changed_fields,
)
from shishi.ledger.models import LedgerItem
from shishi.org.models import Unit, UnitKind

from .models import Appeal, AppealNotice, AppealPhoto, Channel, CollectionEvent
from .services import (
    appeal_accept,
    appeal_answer,
    appeal_close,
    appeal_reject,
    appeal_submit,
    appeal_triage,
)

CONTACT_FIELDS = ["submitter_name", "submitter_phone", "submitter_email", "submitter"]
CONTACT_PERMISSION = "intake.view_submitter_contact"


def sees_contact(request) -> bool:
    return request.user.has_perm(CONTACT_PERMISSION)


# ---------------------------------------------------------------- events


@admin.register(CollectionEvent)
class CollectionEventAdmin(ShishiHistoryAdmin):
    list_display = ["held_on", "title", "channel", "unit", "count"]
    list_filter = ["channel"]
    search_fields = ["title", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit", "organiser"]
    date_hierarchy = "held_on"

    def save_model(self, request, obj, form, change):
        if change:
            save_changed_fields(request, obj, form, reason="edited in admin")
        else:
            super().save_model(request, obj, form, change)


# ---------------------------------------------------------------- appeals


class AppealActionForm(helpers.ActionForm):
    """What some actions need: a category to triage into, an item to accept
    into, the text of an answer or of a reason for rejecting."""

    category = forms.ModelChoiceField(
        label=_("Category (for triage)"), queryset=Category.objects.active(), required=False
    )
    item_number = forms.CharField(label=_("Ledger item number (to accept into)"), required=False)
    note = forms.CharField(label=_("Answer or reason"), required=False, max_length=10_000)


class AppealAddForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    body = forms.CharField(label=_("text"), widget=forms.Textarea, required=False)
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    event = forms.ModelChoiceField(
        label=_("collection event"), queryset=CollectionEvent.objects.all(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("category"), queryset=Category.objects.active(), required=False
    )
    received_at = forms.SplitDateTimeField(
        label=_("received at"),
        required=False,
        widget=widgets.AdminSplitDateTime,
        help_text=_("Leave empty for now."),
    )
    submitter_name = forms.CharField(label=_("submitter name"), max_length=100, required=False)
    submitter_phone = forms.CharField(label=_("submitter phone"), max_length=40, required=False)
    submitter_email = forms.EmailField(label=_("submitter e-mail"), required=False)
    address = forms.CharField(label=_("address"), max_length=255, required=False)
    community = forms.ModelChoiceField(
        label=_("community"),
        queryset=Unit.objects.active().filter(kind__in=[UnitKind.COMMUNITY, UnitKind.VILLAGE]),
        required=False,
    )


class AppealAddFormWithoutContact(AppealAddForm):
    submitter_name = None
    submitter_phone = None
    submitter_email = None


class NoticeInline(ReadOnlyInline):
    model = AppealNotice
    fields = ["message", "created_at", "sent_at"]
    readonly_fields = fields
    show_change_link = False


class PhotoInline(ReadOnlyInline):
    model = AppealPhoto
    fields = ["photo_link", "size", "uploaded_at"]
    readonly_fields = fields
    show_change_link = False

    @admin.display(description=_("photo"))
    def photo_link(self, obj):
        # Served through the permission-checked view, never from MEDIA_URL.
        return format_html(
            '<a href="{}">{}</a>', reverse("public:appeal_photo", args=[obj.pk]), obj.original_name
        )


@admin.register(Appeal)
class AppealAdmin(ServiceAddMixin, ShishiHistoryAdmin):
    class Media:
        css = {"all": ["shishi/admin.css"]}

    list_display = [
        "tracking_number",
        "title",
        "channel",
        "status",
        "category",
        "item",
        "received_at",
    ]
    list_filter = ["status", "channel", "category"]
    list_select_related = ["category", "item"]
    action_form = AppealActionForm
    actions = ["triage", "accept", "answer", "reject", "close"]
    inlines = [PhotoInline, NoticeInline]

    # Appeals are read in the admin, and moved only by the actions.
    def has_change_permission(self, request, obj=None):
        return False

    def has_triage_permission(self, request):
        return request.user.has_perm("intake.triage_appeal")

    def get_fields(self, request, obj=None):
        fields = [
            "tracking_number",
            "title",
            "body",
            "channel",
            "event",
            "category",
            "status",
            "status_note",
            "item",
            "received_at",
            "closed_at",
            "address",
            "community",
            "lat",
            "lng",
            *CONTACT_FIELDS,
            "created_at",
            "updated_at",
        ]
        if not sees_contact(request):
            fields = [f for f in fields if f not in CONTACT_FIELDS]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_search_fields(self, request):
        fields = ["tracking_number", "title"]
        if sees_contact(request):
            # Only those who may see a phone number may look one up.
            fields += ["submitter_name", "submitter_phone", "submitter_email"]
        return fields

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # The history page shows what changed; contact data only to those who may see it.
        if sees_contact(request):
            return super().set_history_delta_changes(
                request, historical_records, foreign_keys_are_objs
            )
        hidden = set(CONTACT_FIELDS)
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=hidden, foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    # -- add: through appeal_submit

    def get_add_form(self, request):
        return AppealAddForm if sees_contact(request) else AppealAddFormWithoutContact

    def create_from_form(self, request, form):
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        return appeal_submit(actor=request.user, **data)

    # -- actions: through the intake services

    @admin.action(description=_("Triage into the chosen category"), permissions=["triage"])
    def triage(self, request, queryset):
        category = action_form_data(self, request).get("category")
        if category is None:
            self.message_user(
                request, gettext("Choose a category next to the action."), level=messages.ERROR
            )
            return
        apply_service(
            self,
            request,
            queryset,
            lambda appeal: appeal_triage(appeal=appeal, actor=request.user, category=category),
            gettext("%(object)s: triaged."),
        )

    @admin.action(description=_("Accept into the ledger item numbered"), permissions=["triage"])
    def accept(self, request, queryset):
        number = (action_form_data(self, request).get("item_number") or "").strip()
        item = LedgerItem.objects.filter(number=number).first() if number else None
        if item is None:
            self.message_user(
                request,
                gettext("Give the number of an existing ledger item next to the action."),
                level=messages.ERROR,
            )
            return
        apply_service(
            self,
            request,
            queryset,
            lambda appeal: appeal_accept(appeal=appeal, actor=request.user, item=item),
            gettext("%(object)s: accepted into %(item)s."),
            item=item.number,
        )

    @admin.action(description=_("Answer directly with the text given"), permissions=["triage"])
    def answer(self, request, queryset):
        text = action_form_data(self, request).get("note", "")
        apply_service(
            self,
            request,
            queryset,
            lambda appeal: appeal_answer(appeal=appeal, actor=request.user, answer=text),
            gettext("%(object)s: answered."),
        )

    @admin.action(description=_("Reject for the reason given"), permissions=["triage"])
    def reject(self, request, queryset):
        reason = action_form_data(self, request).get("note", "")
        apply_service(
            self,
            request,
            queryset,
            lambda appeal: appeal_reject(appeal=appeal, actor=request.user, reason=reason),
            gettext("%(object)s: rejected."),
        )

    @admin.action(description=_("Close answered or rejected appeals"), permissions=["triage"])
    def close(self, request, queryset):
        apply_service(
            self,
            request,
            queryset,
            lambda appeal: appeal_close(appeal=appeal, actor=request.user),
            gettext("%(object)s: closed."),
        )


# ---------------------------------------------------------------- notices


@admin.register(AppealNotice)
class AppealNoticeAdmin(ShishiAdmin):
    """Recorded by the services, marked sent by the delivery job: read only."""

    list_display = ["appeal", "short_message", "created_at", "sent_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["appeal__tracking_number"]
    list_select_related = ["appeal"]
    fields = ["appeal", "message", "created_at", "sent_at"]
    readonly_fields = fields

    @admin.display(description=_("message"))
    def short_message(self, notice: AppealNotice) -> str:
        return notice.message[:60]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
