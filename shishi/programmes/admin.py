"""The admin shows programmes and their records with their history. Records
are written by the services (pages, imports, the command line), so here they
are read-only; a programme is added through its service."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shishi.core.admin import ServiceAddMixin, ShishiHistoryAdmin
from shishi.org.models import Unit

from . import services
from .models import (
    Asset,
    ClaimApplication,
    ClaimPoint,
    ClaimStaff,
    ClaimStation,
    EnterpriseProblem,
    EnterpriseVisit,
    ForumAttendee,
    HouseholdVisit,
    Programme,
    Questionnaire,
    QuestionnaireResponse,
    ServiceBundle,
    ServiceItem,
    TargetSource,
)


class ReadOnlyHistoryAdmin(ShishiHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProgrammeAddForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=50)
    name = forms.CharField(label=_("name"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea, required=False)
    lead_unit = forms.ModelChoiceField(
        label=_("lead unit"), queryset=Unit.objects.filter(is_active=True), required=False
    )


@admin.register(Programme)
class ProgrammeAdmin(ServiceAddMixin, ShishiHistoryAdmin):
    add_form = ProgrammeAddForm
    list_display = ["name", "code", "lead_unit", "is_active"]
    search_fields = ["name", "code"]

    def has_change_permission(self, request, obj=None):
        return False

    def create_from_form(self, request, form):
        return services.programme_create(actor=request.user, **form.cleaned_data)


@admin.register(EnterpriseVisit)
class EnterpriseVisitAdmin(ReadOnlyHistoryAdmin):
    list_display = ["visited_on", "enterprise", "visitors", "programme"]
    list_filter = ["programme"]
    search_fields = ["enterprise", "visitors"]


@admin.register(ClaimApplication)
class ClaimApplicationAdmin(ReadOnlyHistoryAdmin):
    list_display = ["item", "applicant", "point", "station", "applied_at"]
    list_select_related = ["item", "point", "station"]
    search_fields = ["applicant", "item__number"]


@admin.register(ServiceItem)
class ServiceItemAdmin(ReadOnlyHistoryAdmin):
    list_display = ["code", "name", "department", "online", "mobile"]
    list_filter = ["online", "mobile", "department"]
    search_fields = ["code", "name"]


@admin.register(Asset)
class AssetAdmin(ReadOnlyHistoryAdmin):
    list_display = ["code", "kind", "name", "connected", "quantity"]
    list_filter = ["kind", "connected"]
    search_fields = ["code", "name", "address"]


@admin.register(QuestionnaireResponse)
class QuestionnaireResponseAdmin(ReadOnlyHistoryAdmin):
    list_display = ["pk", "questionnaire", "event", "answered_on"]
    list_select_related = ["questionnaire", "event"]


@admin.register(HouseholdVisit)
class HouseholdVisitAdmin(ReadOnlyHistoryAdmin):
    list_display = ["visited_on", "household", "visitor", "event"]
    list_select_related = ["visitor", "event"]
    search_fields = ["household"]


for model in (
    EnterpriseProblem,
    ClaimStation,
    ClaimPoint,
    ClaimStaff,
    ServiceBundle,
    Questionnaire,
    TargetSource,
    ForumAttendee,
):
    admin.site.register(model, ReadOnlyHistoryAdmin)
