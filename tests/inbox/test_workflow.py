"""The inbox makes one request per labelled citizen request, question or complaint, in batches of any size."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from akimwatch.inbox import workflow
from tests.web.conftest import seed


@pytest.mark.parametrize("batch", [1, 2, 20000])
def test_requests_from_labels_do_not_depend_on_the_batch_size(sqlite_store, batch):
    seed(sqlite_store)
    now = datetime.now(UTC)
    with sqlite_store.begin() as conn:
        assert workflow.sync_requests(conn, now=now, batch=batch)["created"] == 6
        items = {r["comment_id"]: r for r in workflow.list_requests(conn, now=now, limit=100)}
        assert workflow.sync_requests(conn, now=now, batch=batch)["created"] == 0  # idempotent
    assert sorted(items) == [1, 2, 5, 6, 7, 8]
    assert {c: (r["kind"], r["topic"]) for c, r in items.items()} == {
        1: ("request", "animals_zoo"), 2: ("request", "animals_zoo"), 5: ("question", "gas"),
        6: ("complaint", "roads_traffic"), 7: ("question", "environment"), 8: ("complaint", "greening_parks")}
    assert items[2]["incident_id"] == items[1]["incident_id"]  # the two zoo appeals are one incident
    assert items[1]["status"] == "answered"  # c4 answers c1 in its thread
