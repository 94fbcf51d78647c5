"""What PostgreSQL is given to plan the lists well: the indexes and statistics the
migrations add (benchmarks/ measures the plans at 100,000 requests)."""

import pytest
from django.db import connection

from clearance.models import ClearanceRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("these are PostgreSQL's (make test runs PostgreSQL)")


def test_a_search_by_name_reads_the_trigram_index():
    """«contains» on the name is ``UPPER(full_name) LIKE '%…%'``; the index matches it."""
    matching = ClearanceRequest.objects.filter(full_name__icontains="امیر").order_by()
    sql, params = matching.values("process_id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's table is tiny
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "request_full_name_trigram" in plan, plan


def test_postgresql_knows_an_expert_s_tasks_are_their_office_s():
    """Without these statistics it guesses 15 handled tasks where there are thousands."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxkind FROM pg_statistic_ext WHERE stxname = 'tasvieh_task_owner_permission'"
        )
        assert cursor.fetchone() == (["f"],)  # functional dependencies
