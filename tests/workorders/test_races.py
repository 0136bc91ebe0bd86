"""Two handlers of one unit sign the same order at the same moment: one wins,
the other is told who signed (run on PostgreSQL; SQLite in memory has no
second connection)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from shishi.workorders import services
from shishi.workorders.models import OrderStatus, WorkOrder


def race(*targets):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database has no second connection to race with")
    start = threading.Barrier(len(targets))
    results = []

    def run(target):
        try:
            start.wait()
            results.append(target())
        except Exception as err:  # shown by the assertion, not lost in the thread
            results.append(err)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_handlers_sign_at_once_one_wins(order, carol, cora):
    results = race(
        lambda: services.order_sign(order=order, actor=carol),
        lambda: services.order_sign(order=order, actor=cora),
    )
    won = [r for r in results if isinstance(r, WorkOrder)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "already signed for by" in str(lost[0])
    order.refresh_from_db()
    assert order.status == OrderStatus.SIGNED
    assert order.history.filter(status=OrderStatus.SIGNED).count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reply_and_return_at_once_one_wins(signed, carol, cora):
    results = race(
        lambda: services.order_reply(
            order=signed, actor=carol, reply="已更换路灯灯泡三只，当晚恢复照明，已现场核实。"
        ),
        lambda: services.order_return(order=signed, actor=cora, reason="不属我局职责"),
    )
    assert sum(isinstance(r, WorkOrder) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    signed.refresh_from_db()
    assert signed.status in (OrderStatus.REPLIED, OrderStatus.RETURNED)
