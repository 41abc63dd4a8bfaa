from datetime import timedelta

from django.db import migrations, models


def expire_after_ninety_days(apps, schema_editor):
    """Tokens made before expiry existed get the default lifetime from their creation."""
    ApiToken = apps.get_model("api", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + timedelta(days=90))


class Migration(migrations.Migration):
    """Expiry, and the credentials a token is bound to. Tokens made before this have no recorded
    password digest and are refused (it cannot be known whether they outlived a password change)."""

    dependencies = [
        ("api", "0001_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.RunPython(expire_after_ninety_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="password_digest",
            field=models.BinaryField(default=b"", max_length=32),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="second_factors",
            field=models.JSONField(default=list),
        ),
    ]
