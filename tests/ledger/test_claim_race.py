"""Two leaders claim the same item at the same moment: exactly one wins."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from shishi.ledger.models import ItemStatus, LedgerItem
from shishi.ledger.services import item_claim


# Transactional tests empty the tables afterwards; serialized_rollback puts back
# what the migrations created (role groups, kind policies) for this test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_claims_one_wins(make_item, dave, lena, district):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database has no second connection to race with")
    item = make_item()
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def claim(leader, unit):
        try:
            start.wait()
            item_claim(item=LedgerItem.objects.get(pk=item.pk), actor=leader, lead_unit=unit)
            results[leader.username] = "won"
        except ValidationError as err:
            results[leader.username] = f"refused: {err.messages[0]}"
        except Exception as err:  # shown by the assertion below, not lost in the thread
            results[leader.username] = f"error: {err!r}"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=claim, args=(dave, district["education"])),
        threading.Thread(target=claim, args=(lena, district["transport"])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(r.split(":")[0] for r in results.values()) == ["refused", "won"], results
    item.refresh_from_db()
    winner = next(name for name, r in results.items() if r == "won")
    loser = next(name for name, r in results.items() if r != "won")
    assert item.status == ItemStatus.CLAIMED and item.owner.username == winner
    # The loser is told who was first.
    assert item.owner.full_name in results[loser]
    assert item.history.filter(status=ItemStatus.CLAIMED).count() == 1
