from django.db import migrations, models


def split_new(apps, schema_editor):
    """'new' becomes a new video, a new image (it decoded) or another file."""
    EvidenceFile = apps.get_model("evidence", "EvidenceFile")
    new = EvidenceFile.objects.filter(triage="new")
    new.filter(mime__startswith="video/").update(triage="new_video")
    new.filter(phash__isnull=False).update(triage="new_image")
    new.update(triage="other")


def merge_new(apps, schema_editor):
    EvidenceFile = apps.get_model("evidence", "EvidenceFile")
    EvidenceFile.objects.filter(triage__in=["new_image", "new_video", "other", "near"]).update(triage="new")


class Migration(migrations.Migration):
    dependencies = [("evidence", "0005_video_frames")]

    operations = [
        migrations.AlterField(
            model_name="evidencefile",
            name="triage",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("known", "Known material"),
                    ("near", "Near match (to confirm)"),
                    ("known_good", "Known good (ignorable)"),
                    ("new_image", "New image"),
                    ("new_video", "New video"),
                    ("other", "Other file"),
                    ("error", "Error"),
                ],
                default="pending",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(split_new, merge_new),
    ]
