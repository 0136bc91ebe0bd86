"""What the account pages read."""

from django.db.models import QuerySet

from shishi.intake.models import Appeal


def appeals_of(user) -> QuerySet[Appeal]:
    """A resident's own appeals, newest first, with only what their list shows
    (never another person's: the filter is the submitter account)."""
    return (
        Appeal.objects.filter(submitter=user)
        .select_related("category")
        .only(
            "pk",
            "tracking_number",
            "title",
            "channel",
            "received_at",
            "status",
            "item_id",
            "category__name",
        )
        .order_by("-received_at", "-pk")
    )
