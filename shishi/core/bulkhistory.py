"""Store many rows of a model with history, fast: a bulk insert per batch, then
the batch's history records copied from the stored rows by one INSERT … SELECT
(what simple-history's bulk_history_create writes, without building a second
object per row). For lists of tens of thousands (households, pairings)."""

from collections.abc import Sequence

from django.db import connection, models
from django.utils import timezone

BATCH = 400  # under SQLite's 999 parameters for the IN list


def bulk_create_with_history_sql(
    objs: Sequence[models.Model], *, actor, reason: str, batch_size: int = BATCH
) -> list[models.Model]:
    if not objs:
        return []
    model = type(objs[0])
    history = model.history.model
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in model._meta.concrete_fields)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    stored: list[models.Model] = []
    for start in range(0, len(objs), batch_size):
        batch = model.objects.bulk_create(objs[start : start + batch_size])
        pks = [obj.pk for obj in batch]
        marks = ", ".join(["%s"] * len(pks))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {qn(history._meta.db_table)} ({columns}, history_date, "  # noqa: S608 (our own tables)
                f"history_change_reason, history_type, history_user_id) "
                f"SELECT {columns}, %s, %s, '+', %s FROM {qn(model._meta.db_table)} "
                f"WHERE {qn(model._meta.pk.column)} IN ({marks})",
                [now, reason[:100], actor.pk if actor else None, *pks],
            )
        stored.extend(batch)
    return stored
