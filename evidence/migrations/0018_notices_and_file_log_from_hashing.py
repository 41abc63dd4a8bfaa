# The re-match notices and the log of perceptual-hash changes, taken over from hashing (its 0008)
# with their tables as they are: only Django's picture of the models changes, no row moves.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_four_eyes'),
        ('evidence', '0017_file_paths_without_length_limit'),
        ('hashing', '0008_notices_and_file_log_to_evidence'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RematchNotice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('files_now_known', models.PositiveIntegerField(default=0)),
                        ('files_no_longer_known', models.PositiveIntegerField(default=0)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('dossier', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rematch_notices', to='cases.dossier')),
                        ('seen_by', models.ManyToManyField(blank=True, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rematch_notices', to='hashing.hashlistversion')),
                    ],
                    options={
                        'verbose_name': 're-match notice',
                        'verbose_name_plural': 're-match notices',
                        'db_table': 'hashing_rematchnotice',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='PerceptualChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file_id', models.BigIntegerField()),
                        ('xid', models.BigIntegerField()),
                    ],
                    options={
                        'db_table': 'hashing_perceptualchange',
                        'indexes': [models.Index(fields=['xid'], name='perceptual_change_xid')],
                    },
                ),
            ],
        ),
    ]
