"""Indexes for the office lists at university scale, built without blocking writers.

viewflow's task table is not our model, so its partial indexes are plain SQL
(clearance.indexes.AddTableIndex); each matches one list's WHERE and ORDER BY:
the queue (unclaimed tasks of a permission, oldest first), "my tasks" (claimed by a user)
and "handled by me" (done by a user, newest first), and open tasks per office (reports).
"""

from django.db import migrations, models

from clearance.indexes import AddIndexConcurrentlyWherePossible, AddTableIndex

HUMAN = "flow_task_type = 'HUMAN'"


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("clearance", "0006_notifications"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        AddTableIndex(
            name="tasvieh_task_queue",
            table="viewflow_task",
            columns="owner_permission, created",
            include="flow_task, process_id",
            where=f"status = 'NEW' AND {HUMAN}",
        ),
        AddTableIndex(
            name="tasvieh_task_mine",
            table="viewflow_task",
            columns="owner_id, created",
            include="owner_permission, flow_task, process_id",
            where=f"status = 'ASSIGNED' AND {HUMAN}",
        ),
        AddTableIndex(
            name="tasvieh_task_handled",
            table="viewflow_task",
            columns="owner_id, finished DESC",
            include="owner_permission, flow_task, process_id",
            where=f"status = 'DONE' AND {HUMAN}",
        ),
        AddTableIndex(
            name="tasvieh_task_open",
            table="viewflow_task",
            columns="flow_task, created",
            include="process_id",
            where=f"status IN ('NEW', 'ASSIGNED', 'STARTED') AND {HUMAN}",
        ),
        AddIndexConcurrentlyWherePossible(
            model_name="clearancerequest",
            index=models.Index(fields=["national_code"], name="request_national_code"),
        ),
        AddIndexConcurrentlyWherePossible(
            model_name="clearancerequest",
            index=models.Index(fields=["student_number"], name="request_student_number"),
        ),
    ]
