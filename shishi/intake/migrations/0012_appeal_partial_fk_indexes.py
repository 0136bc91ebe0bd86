"""The foreign keys' single-column indexes on appeals become partial ones that
leave NULLs out (see Appeal.Meta.indexes); category's goes, covered by
(category, received_at).

Only the indexes change, so the database side drops them by what the
database says they are, instead of AlterField's table rebuild on SQLite
(five copies of what may be millions of rows).

On PostgreSQL, Django also puts a varchar_pattern_ops index beside each unique
text column, for LIKE 'prefix%' lookups; nothing looks up tracking numbers or
import keys by prefix, so those two go too: every imported row paid for them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

COLUMNS = ("category_id", "community_id", "event_id", "item_id", "submitter_id")


def drop_single_column_fk_indexes(apps, schema_editor):
    Appeal = apps.get_model("intake", "Appeal")
    table = Appeal._meta.db_table
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    for name, info in constraints.items():
        if (
            info["index"]
            and not info["unique"]
            and not info["primary_key"]
            and len(info["columns"]) == 1
            and info["columns"][0] in COLUMNS
        ):
            schema_editor.execute(schema_editor._delete_index_sql(Appeal, name))


def create_single_column_fk_indexes(apps, schema_editor):
    Appeal = apps.get_model("intake", "Appeal")
    for column in COLUMNS:
        field = Appeal._meta.get_field(column.removesuffix("_id"))
        schema_editor.execute(schema_editor._create_index_sql(Appeal, fields=[field]))


LIKE_INDEXED = ("tracking_number", "import_key")


def drop_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Appeal = apps.get_model("intake", "Appeal")
    for name in LIKE_INDEXED:
        column = Appeal._meta.get_field(name).column
        index = schema_editor._create_index_name(Appeal._meta.db_table, [column], suffix="_like")
        schema_editor.execute(schema_editor._delete_index_sql(Appeal, index))


def create_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Appeal = apps.get_model("intake", "Appeal")
    for name in LIKE_INDEXED:
        schema_editor.execute(
            schema_editor._create_like_index_sql(Appeal, Appeal._meta.get_field(name))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("categories", "0002_initial"),
        ("intake", "0011_appeal_outcome_backfill"),
        ("ledger", "0005_followup_by_appellant"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="appeal",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appeals",
                        to="categories.category",
                        verbose_name="category",
                    ),
                ),
                migrations.AlterField(
                    model_name="appeal",
                    name="community",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appeals",
                        to="org.unit",
                        verbose_name="community",
                    ),
                ),
                migrations.AlterField(
                    model_name="appeal",
                    name="event",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appeals",
                        to="intake.collectionevent",
                        verbose_name="collection event",
                    ),
                ),
                migrations.AlterField(
                    model_name="appeal",
                    name="item",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appeals",
                        to="ledger.ledgeritem",
                        verbose_name="ledger item",
                    ),
                ),
                migrations.AlterField(
                    model_name="appeal",
                    name="submitter",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appeals",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="submitter account",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(
                    drop_single_column_fk_indexes, create_single_column_fk_indexes
                ),
                migrations.RunPython(drop_like_indexes, create_like_indexes),
            ],
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(("event__isnull", False)), fields=["event"], name="appeal_event"
            ),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(("submitter__isnull", False)),
                fields=["submitter"],
                name="appeal_submitter",
            ),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(("community__isnull", False)),
                fields=["community"],
                name="appeal_community",
            ),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(("item__isnull", False)), fields=["item"], name="appeal_item"
            ),
        ),
    ]
