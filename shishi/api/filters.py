"""The list endpoints' query parameters (django-filter). A value that is not
valid (an unknown status, a date that is not one) is a 400 naming it."""

import django_filters as filters
from django.utils import timezone

from shishi.categories.models import Category
from shishi.dispatch.selectors import claimable_items, my_items
from shishi.intake.models import Appeal, AppealStatus, Channel
from shishi.ledger.models import ItemKind, ItemStatus, LedgerItem, week_start
from shishi.org.models import Unit, UnitKind


class AppealFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=AppealStatus.choices)
    channel = filters.MultipleChoiceFilter(choices=Channel.choices)
    category = filters.ModelChoiceFilter(queryset=Category.objects.all())
    community = filters.ModelChoiceFilter(queryset=Unit.objects.all())
    item = filters.CharFilter(field_name="item__number", help_text="The ledger item's number.")
    received_after = filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = Appeal
        fields = ["status", "channel", "category", "community", "item"]


class ItemFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=ItemStatus.choices)
    kind = filters.MultipleChoiceFilter(choices=ItemKind.choices)
    category = filters.ModelChoiceFilter(queryset=Category.objects.all())
    unit = filters.ModelChoiceFilter(
        queryset=Unit.objects.all(), field_name="lead_unit", help_text="The lead unit's id."
    )
    owner = filters.CharFilter(field_name="owner__username", help_text="The owner's username.")
    deadline_after = filters.IsoDateTimeFilter(field_name="deadline", lookup_expr="gte")
    deadline_before = filters.IsoDateTimeFilter(field_name="deadline", lookup_expr="lt")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    overdue = filters.BooleanFilter(
        method="filter_overdue", help_text="Past the deadline, unfinished."
    )
    mine = filters.BooleanFilter(
        method="filter_mine",
        help_text="The caller's own items, as on the web's “my items” page: a leader's "
        "are those they own, a unit handler's their units' items.",
    )
    claimable = filters.BooleanFilter(
        method="filter_claimable", help_text="Open items nobody has claimed yet."
    )

    class Meta:
        model = LedgerItem
        fields = ["status", "kind", "category", "unit", "owner"]

    def filter_overdue(self, queryset, name, value):
        overdue = LedgerItem.objects.overdue(timezone.now()).values("pk")
        return _keep(queryset, overdue, value)

    def filter_mine(self, queryset, name, value):
        monday = week_start(timezone.localdate())
        return _keep(queryset, my_items(self.request.user, monday=monday).values("pk"), value)

    def filter_claimable(self, queryset, name, value):
        return _keep(queryset, claimable_items().values("pk"), value)


def _keep(queryset, selected, value: bool):
    """The rows in `selected` (the web's own selector), or those not in it."""
    return queryset.filter(pk__in=selected) if value else queryset.exclude(pk__in=selected)


class UnitFilter(filters.FilterSet):
    kind = filters.MultipleChoiceFilter(choices=UnitKind.choices)
    parent = filters.ModelChoiceFilter(queryset=Unit.objects.all())

    class Meta:
        model = Unit
        fields = ["kind", "parent", "is_active", "is_participating"]


class CategoryFilter(filters.FilterSet):
    parent = filters.ModelChoiceFilter(queryset=Category.objects.all())

    class Meta:
        model = Category
        fields = ["parent", "is_active"]
