import pytest

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


def test_many_identities_are_counted_in_one_round_trip_each_in_its_own_window(settings):
    from django.core.cache import caches

    if not settings.REDIS_URL:
        pytest.skip("the one-round-trip path is Redis's")
    client = caches["default"]._cache.get_client(write=True)
    before = client.info("stats")["total_commands_processed"]
    assert ratelimit.hit_many(TEN_PER_MINUTE, {"ann": 3, "bob": 1}, 100.0) == {"ann": 3, "bob": 1}
    # One round trip: MULTI, SET NX and INCRBY for each, EXEC (and INFO itself).
    assert client.info("stats")["total_commands_processed"] - before == 7
    assert ratelimit.allowed_many(TEN_PER_MINUTE, {"ann": 9, "bob": 2}, 110.0) == {"ann": 7, "bob": 2}
    assert ratelimit.exceeded([(TEN_PER_MINUTE, "ann")], 110.0) == 10
    assert ratelimit.exceeded([(TEN_PER_MINUTE, "bob")], 110.0) is None
    key = caches["default"].make_and_validate_key(TEN_PER_MINUTE.key("ann", 100.0))
    assert 0 < client.ttl(key) <= 61  # the window's counter expires with it
    assert ratelimit.hit_many(TEN_PER_MINUTE, {"ann": 1}, 120.0) == {"ann": 1}  # the next window
    assert ratelimit.hit_many(TEN_PER_MINUTE, {}, 120.0) == {}
