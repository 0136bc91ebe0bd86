"""REST API tokens were kept in clear by DRF's authtoken; from here on only a
SHA-256 of each key is stored. Existing keys are hashed, so clients keep
working, and the clear ones are deleted."""

import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def hash_existing(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("api", "ApiToken")
    for token in Token.objects.all().iterator():
        ApiToken.objects.create(
            user_id=token.user_id,
            hashed_key=hashlib.sha256(token.key.encode("utf-8")).hexdigest(),
            prefix=token.key[:8],
            created_at=token.created,
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_token_rights_for_roles"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("hashed_key", models.CharField(max_length=64, unique=True, verbose_name="key hash (SHA-256)")),
                ("prefix", models.CharField(blank=True, max_length=8, verbose_name="key prefix")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_token",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "ordering": ["user__username"],
            },
        ),
        migrations.RunPython(hash_existing, migrations.RunPython.noop),
    ]
