"""The queue leaves out tasks whose request is with the student (access.queue_for_officer):
a small partial index of the returned requests' process ids makes that an index-only
anti-join, whatever the number of requests."""

from django.db import migrations

from clearance.indexes import AddTableIndex


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("clearance", "0008_letterhead")]

    operations = [
        AddTableIndex(
            name="request_returned",
            table="clearance_clearancerequest",
            columns="process_id",
            where="status = 'returned'",
        ),
    ]
