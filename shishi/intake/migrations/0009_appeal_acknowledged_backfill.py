"""Fill acknowledged_at and responded_at of the appeals stored before these
fields existed, from the appeal history: the first record in which the appeal
left "received" (acknowledged), and the first in which it was answered,
rejected or closed (responded). Appeals stored already answered (a bulk import
with the source's answer) thus count from the time they were stored, which is
when this system learned of them.

Set-based UPDATEs with a correlated subquery, one id range at a time, so a
table of millions of appeals is never updated in one statement and no row is
loaded into Python. The deadlines themselves are computed by
`shishi deadlines_backfill` (shishi.service_levels), which needs the policies."""

from django.db import migrations
from django.db.models import Min, OuterRef, Subquery

BATCH = 20_000


def backfill(apps, schema_editor):
    Appeal = apps.get_model("intake", "Appeal")
    History = apps.get_model("intake", "HistoricalAppeal")
    using = schema_editor.connection.alias
    appeals = Appeal.objects.using(using)
    bounds = appeals.aggregate(low=Min("id"))
    if bounds["low"] is None:
        return
    high = appeals.order_by("-id").values_list("id", flat=True).first()

    def first_record(**status_filter):
        return Subquery(
            History.objects.using(using)
            .filter(id=OuterRef("id"), **status_filter)
            .order_by()
            .values("id")
            .annotate(first=Min("history_date"))
            .values("first")[:1]
        )

    for start in range(bounds["low"], high + 1, BATCH):
        batch = appeals.filter(id__gte=start, id__lt=start + BATCH)
        batch.filter(acknowledged_at__isnull=True).exclude(status="received").update(
            acknowledged_at=first_record(status__in=["triaged", "accepted", "answered", "rejected", "closed"])
        )
        batch.filter(responded_at__isnull=True).exclude(status__in=["received", "triaged"]).update(
            responded_at=first_record(status__in=["answered", "rejected", "closed"])
        )


class Migration(migrations.Migration):
    dependencies = [("intake", "0008_appeal_deadlines")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
