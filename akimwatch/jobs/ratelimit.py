"""Politeness for the whole cluster: one request schedule per platform in Redis, shared by every worker.

A platform's limit (``per_second`` of its ``RatePolicy``) is a generic cell rate (GCRA) schedule kept in
one Redis key: each request reserves the next free slot atomically (a Lua script; Redis's own clock, so
machines with drifting clocks still agree) and sleeps until it. A ``Retry-After`` (or X's rate reset) seen
by any worker pushes a shared "blocked until" time that every later reservation respects. The number of
accounts harvested at once per platform (``concurrency``) is a set of leases in Redis, expiring if their
worker vanished. The ``limits`` package was considered: its moving windows only say yes/no (callers poll
and bunch up at window edges) and it has no shared Retry-After, so these three small scripts are ours.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import redis

from akimwatch.harvest.http import RateController, RatePolicy

# KEYS: schedule, blocked-until. ARGV: interval µs. Returns µs to wait before the reserved slot.
RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
local slot = math.max(now, tat, blocked)
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], slot + interval, 'PX', math.floor((slot - now + interval) / 1000) + 60000)
return slot - now
"""

# KEYS: blocked-until. ARGV: seconds (float as string). Returns the blocked-until time in µs.
BLOCK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untill = now + math.floor(tonumber(ARGV[1]) * 1000000)
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
if untill > old then
  redis.call('SET', KEYS[1], untill, 'PX', math.floor((untill - now) / 1000) + 60000)
  return untill
end
return old
"""

# KEYS: lease set. ARGV: holder, limit, lease µs. Returns 1 if the holder has a slot, else 0.
ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local expires = now + tonumber(ARGV[3])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], expires, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], math.floor(tonumber(ARGV[3]) / 1000) + 60000)
  return 1
end
return 0
"""


class SharedLimiter:
    """The Redis side: reserve a request slot, block everyone for a while, lease a concurrency slot."""

    def __init__(self, client: redis.Redis, namespace: str):
        self.client = client
        self.namespace = namespace
        self._reserve = client.register_script(RESERVE)
        self._block = client.register_script(BLOCK)
        self._acquire = client.register_script(ACQUIRE)

    def _keys(self, platform: str) -> tuple[str, str]:
        return f"{self.namespace}:rate:{platform}", f"{self.namespace}:blocked:{platform}"

    def reserve(self, platform: str, per_second: float) -> float:
        """Seconds to wait until this caller's request slot (0: go now)."""
        if per_second <= 0:
            return 0.0
        micros = int(self._reserve(keys=list(self._keys(platform)), args=[int(1_000_000 / per_second)]))
        return micros / 1_000_000

    def block(self, platform: str, seconds: float) -> None:
        """The platform asked us to wait (Retry-After): no worker sends before ``seconds`` from now."""
        self._block(keys=[self._keys(platform)[1]], args=[repr(float(seconds))])

    def acquire(self, platform: str, holder: str, limit: int, lease_seconds: float) -> bool:
        key = f"{self.namespace}:leases:{platform}"
        return bool(self._acquire(keys=[key], args=[holder, max(1, limit), int(lease_seconds * 1_000_000)]))

    def release(self, platform: str, holder: str) -> None:
        self.client.zrem(f"{self.namespace}:leases:{platform}", holder)


@dataclass
class SharedRateController(RateController):
    """A ``RateController`` whose spacing and Retry-After pauses hold for every worker of the cluster."""

    limiter: SharedLimiter | None = None
    key: str = ""

    def wait_turn(self) -> None:
        assert self.limiter is not None
        delay = self.limiter.reserve(self.key, self.policy.per_second)
        if delay > 0:
            self.pause(delay)

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        seconds = super().backoff(attempt, retry_after)
        if retry_after is not None and self.limiter is not None:
            self.limiter.block(self.key, seconds)
        return seconds


@dataclass
class ConcurrencySlot:
    """Hold one of the platform's ``concurrency`` slots cluster-wide while an account is harvested."""

    limiter: SharedLimiter
    platform: str
    limit: int
    lease_seconds: float
    poll: float = 0.2
    sleep: Callable[[float], None] = time.sleep
    holder: str = field(default_factory=lambda: uuid.uuid4().hex)

    held: bool = False

    def acquire(self, timeout: float | None = None) -> bool:
        """Wait for a slot (at most ``timeout`` seconds; None: as long as it takes)."""
        waited = 0.0
        while not self.limiter.acquire(self.platform, self.holder, self.limit, self.lease_seconds):
            if timeout is not None and waited >= timeout:
                return False
            self.sleep(self.poll)
            waited += self.poll
        self.held = True
        return True

    def __enter__(self) -> ConcurrencySlot:
        if not self.held:
            self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.limiter.release(self.platform, self.holder)
        self.held = False


def shared_controller_factory(limiter: SharedLimiter) -> Callable[[str, RatePolicy], RateController]:
    """What a worker installs into ``akimwatch.harvest.http``: every polite client shares Redis."""

    def make(platform: str, policy: RatePolicy) -> RateController:
        return SharedRateController(policy, limiter=limiter, key=platform)

    return make
