"""Fill the outcome of appeals responded to before it was recorded: rejected
when their history holds a rejection, settled when they belong to an item,
answered otherwise. Set-based UPDATEs one id range at a time, as in 0009."""

from django.db import migrations
from django.db.models import Exists, Min, OuterRef

BATCH = 20_000


def backfill(apps, schema_editor):
    Appeal = apps.get_model("intake", "Appeal")
    History = apps.get_model("intake", "HistoricalAppeal")
    using = schema_editor.connection.alias
    appeals = Appeal.objects.using(using)
    low = appeals.aggregate(low=Min("id"))["low"]
    if low is None:
        return
    high = appeals.order_by("-id").values_list("id", flat=True).first()
    rejected = History.objects.using(using).filter(id=OuterRef("id"), status="rejected")
    for start in range(low, high + 1, BATCH):
        batch = appeals.filter(
            id__gte=start, id__lt=start + BATCH, responded_at__isnull=False, outcome=""
        )
        batch.filter(Exists(rejected)).update(outcome="rejected")
        batch.filter(item__isnull=False).update(outcome="settled")
        batch.update(outcome="answered")


class Migration(migrations.Migration):
    dependencies = [("intake", "0010_appeal_outcome_rates_indexes")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
