"""The test session runs on real servers: PostgreSQL for the database, Redis for the
cache and the channel layer."""

import asyncio

import pytest
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from django.core.cache import cache
from django.db import connection


@pytest.mark.django_db
def test_database_is_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_cache_is_redis():
    assert settings.CACHES["default"]["BACKEND"] == "backend.common.cache.ProcessRedisCache"
    cache.set("probe", 41)
    assert cache.incr("probe") == 42
    client = cache._cache.get_client("probe")
    assert client.get(cache.make_key("probe")) == b"42"


async def test_message_crosses_two_redis_channel_layer_instances():
    sender = RedisPubSubChannelLayer(hosts=[settings.REDIS_URL])
    receiver = RedisPubSubChannelLayer(hosts=[settings.REDIS_URL])
    try:
        channel = await receiver.new_channel()
        await receiver.group_add("room-probe", channel)
        await sender.group_send("room-probe", {"type": "probe.message", "text": "bonjour"})
        message = await asyncio.wait_for(receiver.receive(channel), timeout=5)
        assert message == {"type": "probe.message", "text": "bonjour"}
    finally:
        await sender.flush()
        await receiver.flush()


def test_configured_channel_layer_is_redis_pubsub():
    assert isinstance(get_channel_layer(), RedisPubSubChannelLayer)
