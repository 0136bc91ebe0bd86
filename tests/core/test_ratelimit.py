from shishi.core.ratelimit import rate_limit_hit


def test_limit_per_minute_with_retry_after():
    now = 1_800_000_010.0  # 10 s into a minute
    assert rate_limit_hit("t", 2, now=now) is None
    assert rate_limit_hit("t", 2, now=now + 1) is None
    refusal = rate_limit_hit("t", 2, now=now + 5)
    assert refusal is not None and refusal.retry_after == 45
    # Another bucket counts apart; the next minute starts again.
    assert rate_limit_hit("u", 2, now=now) is None
    assert rate_limit_hit("t", 2, now=now + 60) is None
