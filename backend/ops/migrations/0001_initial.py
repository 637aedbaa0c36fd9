from django.db import migrations, models

# The lease (backend/ops/services.py) looks for RUNNING tasks every few seconds in each
# worker; django-tasks-db indexes only READY ones, and finished tasks pile up in the same
# table. A partial index keeps that look a few rows long. PostgreSQL and SQLite both
# have partial indexes.
RUNNING_INDEX = "ops_running_tasks_idx"


def create_running_index(apps, schema_editor):
    table = schema_editor.quote_name(apps.get_model("django_tasks_database", "DBTaskResult")._meta.db_table)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {RUNNING_INDEX} ON {table} (started_at) WHERE status = 'RUNNING'"
    )


def drop_running_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {RUNNING_INDEX}")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                ("worker_id", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("hostname", models.CharField(max_length=255)),
                ("pid", models.PositiveIntegerField()),
                ("started_at", models.DateTimeField()),
                ("seen_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(create_running_index, drop_running_index),
    ]
