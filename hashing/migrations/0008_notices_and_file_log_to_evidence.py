# The re-match notices (which name a dossier) and the log of perceptual-hash changes (written for
# the evidence files' index) belong to evidence now: hashing knows no dossier and no evidence file.
# Only Django's picture of the models changes; the tables, their rows and the triggers of 0006 stay
# as they are (evidence 0018 takes the models over, with the same table names).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('hashing', '0007_version_adds_to_active'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='RematchNotice'),
                migrations.DeleteModel(name='PerceptualChange'),
            ],
        ),
    ]
