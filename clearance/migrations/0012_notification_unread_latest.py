"""The bell reads a person's latest unread notifications (never all of them): the partial
index of unread rows now holds their time too, newest first. Built before the old one goes,
both CONCURRENTLY on PostgreSQL, so the bell never lacks an index."""

from django.db import migrations, models

from clearance.indexes import AddIndexConcurrentlyWherePossible, RemoveIndexConcurrentlyWherePossible


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("clearance", "0011_request_name_trigram_index")]

    operations = [
        AddIndexConcurrentlyWherePossible(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("read_at__isnull", True)),
                fields=["recipient", "-created"],
                name="notification_unread_latest",
            ),
        ),
        RemoveIndexConcurrentlyWherePossible(model_name="notification", name="notification_unread"),
    ]
