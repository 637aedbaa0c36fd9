from backend.common import ratelimit

TEN_PER_MINUTE = ratelimit.RateLimit("test", 10, 60)


def test_retry_after_counts_to_the_end_of_the_aligned_window():
    assert TEN_PER_MINUTE.retry_after(120.0) == 60
    assert TEN_PER_MINUTE.retry_after(179.2) == 1
    assert TEN_PER_MINUTE.retry_after(150.5) == 30


def test_keys_change_with_the_window_and_hide_the_identity():
    key = TEN_PER_MINUTE.key("zoe@example.org", 61.0)
    assert key == TEN_PER_MINUTE.key("zoe@example.org", 119.9)
    assert key != TEN_PER_MINUTE.key("zoe@example.org", 120.0)
    assert "zoe" not in key


def test_hits_count_in_the_real_cache_until_the_limit():
    assert [ratelimit.hit(TEN_PER_MINUTE, "ip", 100.0) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.exceeded([(TEN_PER_MINUTE, "ip")], 100.0) is None
    for _ in range(7):
        ratelimit.hit(TEN_PER_MINUTE, "ip", 100.0)
    assert ratelimit.exceeded([(TEN_PER_MINUTE, "ip")], 100.0) == 20
    assert ratelimit.exceeded([(TEN_PER_MINUTE, "other")], 100.0) is None
    assert ratelimit.exceeded([(TEN_PER_MINUTE, "ip")], 120.0) is None
