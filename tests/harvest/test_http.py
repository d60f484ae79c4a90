"""The polite client against httpx.MockTransport: retries, Retry-After, back-off, no leaked secrets."""

from __future__ import annotations

import logging

import httpx
import pytest

from akimwatch.harvest.http import (
    HarvestHTTPError,
    PoliteClient,
    RateController,
    RatePolicy,
    RedactingFilter,
    redact,
)


def make_client(handler, **policy) -> tuple[PoliteClient, list[float]]:
    slept: list[float] = []
    controller = RateController(RatePolicy(per_second=0, **policy), sleep=slept.append)
    client = PoliteClient("vk", default_base="https://api.example", controller=controller,
                          policy=controller.policy, transport=httpx.MockTransport(handler))
    return client, slept


def test_429_with_retry_after_then_success():
    calls = []

    def handler(request):
        calls.append(request.url)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "7"})
        return httpx.Response(200, json={"ok": True})

    client, slept = make_client(handler)
    assert client.get_json("method/wall.get", {"owner_id": -1}) == {"ok": True}
    assert len(calls) == 2 and slept == [7.0]


def test_5xx_and_network_errors_back_off_exponentially_then_give_up():
    def handler(request):
        raise httpx.ConnectTimeout("timed out", request=request)

    client, slept = make_client(handler, retries=3, backoff_base=1.0, backoff_max=60)
    with pytest.raises(HarvestHTTPError, match="giving up .* after 4 tries .*ConnectTimeout"):
        client.get("x")
    assert len(slept) == 4
    for attempt, delay in enumerate(slept):
        assert 2 ** attempt / 2 <= delay <= 2 ** attempt  # jittered in [ceiling/2, ceiling]


def test_500_then_ok():
    responses = iter([httpx.Response(500), httpx.Response(503), httpx.Response(200, text="fine")])
    client, slept = make_client(lambda request: next(responses))
    assert client.get("x").text == "fine" and len(slept) == 2


def test_expired_token_fails_at_once_without_leaking_it():
    def handler(request):
        return httpx.Response(401, json={"error": {"message": "Error validating access token: Session has expired"}})

    client, slept = make_client(handler)
    with pytest.raises(HarvestHTTPError) as info:
        client.get("me/feed", {"access_token": "EAAB-super-secret"})
    assert info.value.status == 401 and slept == []
    assert "EAAB-super-secret" not in str(info.value) and "access_token=***" in str(info.value)


def test_base_url_comes_from_environment(monkeypatch):
    monkeypatch.setenv("AKIMWATCH_VK_BASE_URL", "http://127.0.0.1:9999/")
    client, _ = make_client(lambda request: httpx.Response(200, json={"u": str(request.url)}))
    assert client.get_json("method/x")["u"] == "http://127.0.0.1:9999/method/x"


def test_rate_controller_spaces_requests():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    controller = RateController(RatePolicy(per_second=2), sleep=sleep, clock=lambda: now[0])
    for _ in range(3):
        controller.wait_turn()
    assert slept == [0.5, 0.5]


def test_log_filter_redacts(caplog):
    logger = logging.getLogger("akimwatch.test")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="akimwatch.test"):
        logger.info("GET %s", "https://graph.facebook.com/me?access_token=abc123&limit=5")
    assert "abc123" not in caplog.text and "access_token=***&limit=5" in caplog.text
    assert redact("https://x/?key=AIza123") == "https://x/?key=***"
