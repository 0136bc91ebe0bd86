"""Admin for service levels: holiday calendars per year (with their days) and
the service-level policies, both with history."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shishi.core.admin import ShishiHistoryAdmin

from .holidays_cn import known_years
from .models import CalendarDay, HolidayCalendar, ServiceLevelPolicy


class CalendarDayFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        year = self.instance.year
        for form in self.forms:
            day = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
            if day and year and day.year != year and not form.cleaned_data.get("DELETE"):
                form.add_error(
                    "date",
                    ValidationError(
                        gettext("The date must lie in the calendar's year %(year)d.")
                        % {"year": year}
                    ),
                )


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    formset = CalendarDayFormSet
    extra = 3
    fields = ["date", "is_working_day", "name"]


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(ShishiHistoryAdmin):
    list_display = ["year", "days_off", "make_up_days", "source"]
    fields = ["year", "source", "notes"]
    inlines = [CalendarDayInline]

    @admin.display(description=_("days off"))
    def days_off(self, calendar: HolidayCalendar) -> int:
        return sum(not day.is_working_day for day in calendar.days.all())

    @admin.display(description=_("make-up working days"))
    def make_up_days(self, calendar: HolidayCalendar) -> int:
        return sum(day.is_working_day for day in calendar.days.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("days")

    def changelist_view(self, request, extra_context=None):
        # Without a calendar a year counts Monday to Friday only: say so while
        # there is still time to enter the State Council's schedule.
        this_year = timezone.localdate().year
        wanted = {this_year, this_year + 1}
        known = set(HolidayCalendar.objects.values_list("year", flat=True)) | known_years()
        missing = sorted(wanted - known)
        if missing:
            messages.warning(
                request,
                gettext(
                    "No holiday calendar for %(years)s: working days there are Monday to "
                    "Friday only. Add the official schedule once it is published."
                )
                % {"years": "、".join(str(year) for year in missing)},
            )
        return super().changelist_view(request, extra_context)


@admin.register(ServiceLevelPolicy)
class ServiceLevelPolicyAdmin(ShishiHistoryAdmin):
    list_display = ["name", "kind", "category", "acknowledge", "respond", "settle", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["category"]
    search_fields = ["name", "category__name"]
    autocomplete_fields = ["category"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "category", "is_active"]}),
        (
            _("limits (empty: taken from the less specific policy)"),
            {
                "fields": [
                    ("acknowledge_within", "acknowledge_unit"),
                    ("respond_within", "respond_unit"),
                    ("settle_within", "settle_unit"),
                ]
            },
        ),
    ]

    def _limit(self, policy, measure):
        amount = getattr(policy, f"{measure}_within")
        if amount is None:
            return "—"
        return f"{amount} {getattr(policy, f'get_{measure}_unit_display')()}"

    @admin.display(description=_("acknowledge within"))
    def acknowledge(self, policy):
        return self._limit(policy, "acknowledge")

    @admin.display(description=_("respond within"))
    def respond(self, policy):
        return self._limit(policy, "respond")

    @admin.display(description=_("settle within"))
    def settle(self, policy):
        return self._limit(policy, "settle")
