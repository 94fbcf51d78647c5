"""The benchmark's bulk seeder writes what the real actions write, and the actions go on with it.

`make bench` loads 100,000 requests by copying requests the real actions made (see
benchmarks/seed.py). Here the same seeder runs at a tiny size: every copied row must equal
its template's row but for keys, times and the student's identity; no key may point
nowhere; and copied requests must work — an expert approves a copied task to the end of the
chain, a student resubmits a copied returned request, the queue counts the copies.
"""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Faculty, Office, User
from benchmarks import seed as seeder
from benchmarks import templates
from clearance import access, services
from clearance.demo import expert_username
from clearance.models import ClearanceRequest, Event

SIZE = 120


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One seeding for the module (templates of one faculty, then SIZE copies), undone after."""
    with django_db_blocker.unblock():
        context = transaction.atomic()
        context.__enter__()
        try:
            copier = seeder.seed(
                SIZE, faculties=[Faculty.objects.get(code="medicine")], seed=5, record=True
            )
            yield copier
        finally:
            transaction.set_rollback(True)
            context.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


def copied_requests(copier) -> list[tuple[templates.Snapshot, ClearanceRequest]]:
    table = ClearanceRequest._meta.db_table
    pairs = []
    for snapshot, keys in copier.copies:
        (new,) = [pk for (t, _), pk in keys.items() if t == table]
        pairs.append((snapshot, ClearanceRequest.objects.get(pk=new)))
    return pairs


def test_every_copied_row_is_its_templates_but_for_keys_times_and_identity(seeded):
    for snapshot, keys in seeded.copies:
        for model, rows in snapshot.rows.items():
            recipe = seeded.recipes[model]
            new_keys = [keys[recipe.table, str(r[recipe.pk])] for r in rows]
            copied = {row[recipe.pk]: row for row in templates.rows_of(model, new_keys)}
            assert len(copied) == len(rows)
            free = {recipe.pk, *recipe.times, recipe.waited}
            free |= {i for i, _, _ in recipe.foreign} | {i for i, _ in recipe.varied}
            for template, key in zip(rows, new_keys, strict=True):
                copy = copied[key]
                kept = [v for i, v in enumerate(template) if i not in free]
                assert kept == [v for i, v in enumerate(copy) if i not in free], model
                # A key into the copy is the copy's own; one out of it (an office, an
                # expert sharing the role, a field of study) is kept or an expert's peer.
                for i, table, _ in recipe.foreign:
                    if template[i] is None:
                        assert copy[i] is None
                    elif (table, template[i]) in keys:
                        assert copy[i] == keys[table, template[i]]
                    elif template[i] in seeded.variants:
                        assert copy[i] in seeded.variants[template[i]]
                    else:
                        assert copy[i] == template[i]


def test_no_copied_key_points_nowhere(seeded):
    """The seeder loads without foreign-key triggers: every key is checked here instead."""
    with connection.cursor() as cursor:
        for recipe in seeded.recipes.values():
            for i, table, target in recipe.foreign:
                column = connection.ops.quote_name(recipe.columns[i])
                cursor.execute(
                    f'SELECT count(*) FROM "{recipe.table}" r WHERE r.{column} IS NOT NULL '
                    f'AND NOT EXISTS (SELECT 1 FROM "{table}" t WHERE t."{target}" = r.{column})'
                )
                assert cursor.fetchone()[0] == 0, (recipe.table, recipe.columns[i])


def test_the_dataset_is_spread_over_the_chain_and_in_the_past(seeded):
    pairs = copied_requests(seeded)
    statuses = {req.status for _, req in pairs}
    assert {"in_progress", "returned", "cleared"} <= statuses
    assert len({req.current_office_id for _, req in pairs if req.is_open}) >= 6
    now = timezone.now()
    for snapshot, req in pairs:
        events = list(req.events.order_by("pk").values_list("created", flat=True))
        assert events == sorted(events) and events[-1] <= now, snapshot.kind
        assert req.created <= events[0]
    # Distinct students with distinct identities: the one-open-request rules hold.
    assert len({req.national_code for _, req in pairs}) == SIZE
    assert len({req.student_id for _, req in pairs}) == SIZE


def test_copied_requests_go_on_through_the_real_actions(seeded):
    pairs = copied_requests(seeded)
    waiting = next(req for snap, req in pairs if snap.kind == "new@council")
    while (task := templates._open_task(waiting)) is not None:
        office = Office.objects.get(code=task.flow_task.office_code)
        faculty = waiting.faculty if office.is_faculty_office else None
        expert = User.objects.get(username=expert_username(office, faculty))
        services.task_claim(task=task, user=expert)
        services.decision_record(task=task, user=expert, decision=templates._decision(task, False))
        waiting.refresh_from_db()
    assert waiting.status == ClearanceRequest.Status.CLEARED and waiting.certificate_code

    returned = next(req for snap, req in pairs if snap.kind.startswith("returned@"))
    services.request_resubmit(
        clearance_request=returned, student=returned.student, data={"address": "قم، خیابان ۱"}
    )
    task = templates._open_task(returned)
    assert task.status == STATUS.NEW and task.owner_id is None
    assert Event.objects.filter(request=returned, kind=Event.Kind.RESUBMITTED).count() == 1


def test_a_copied_claim_belongs_to_an_expert_sharing_the_role_who_can_approve_it(seeded):
    req = next(r for s, r in copied_requests(seeded) if s.kind.startswith("claimed@"))
    task = templates._open_task(req)
    assert task.status == STATUS.ASSIGNED
    client = Client()
    client.force_login(task.owner)  # (seeded with the settings' hasher, before this test's)
    response = client.post(reverse("task_return", args=[task.pk]), {"reason": "ناقص"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == ClearanceRequest.Status.RETURNED


def test_the_queue_counts_the_copies(seeded):
    """The templates themselves ran to the end: what waits in a queue are copies."""
    waiting: dict[str, int] = {}
    for snapshot, _ in seeded.copies:
        state, _, office = snapshot.kind.partition("@")
        if state == "new" and not Office.objects.get(code=office).is_faculty_office:
            waiting[office] = waiting.get(office, 0) + 1
    office = max(waiting, key=waiting.__getitem__)
    expert = User.objects.get(username=office)
    for pk in seeded.variants[str(expert.pk)]:
        assert access.queue_for_officer(User.objects.get(pk=pk)).count() == waiting[office]
    handled = Task.objects.filter(owner_id__in=seeded.variants[str(expert.pk)], status="DONE")
    assert handled.values("owner").distinct().count() == seeder.EXPERTS_PER_ROLE
