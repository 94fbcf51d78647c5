"""Searching an office's list by name (``full_name`` contains the text, any case) reads
every request without an index; a trigram index finds the few that match."""

from django.db import migrations

from clearance.indexes import AddTrigramIndex


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("clearance", "0010_reports_daily_counts")]

    operations = [
        AddTrigramIndex(
            name="request_full_name_trigram",
            table="clearance_clearancerequest",
            columns='UPPER("full_name"::text)',
        ),
    ]
