from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("task_id", models.CharField(db_index=True, max_length=64)),
                ("batch", models.CharField(db_index=True, max_length=64)),
                ("worker", models.CharField(max_length=255)),
                ("redelivered", models.BooleanField()),
                ("finished_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
