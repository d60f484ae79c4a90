"""Business Discovery collector against a fake Graph API replaying RECORDED Business Discovery responses
(pyfacebook test data, instagram/apidata/discovery): ``user_fields.json`` (the account's counts) and
``medias_p1/p2.json`` (4 media in two pages, paged by ``media.after(cursor)``). Asked as our own account
``OWN``; the watched account is known by its handle only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from akimwatch.harvest.collectors import collector_class, variant_for
from akimwatch.harvest.instagram_discovery import NO_COMMENTS, InstagramDiscoveryCollector
from akimwatch.harvest.runner import harvest_account, watched_accounts
from akimwatch.models import Account
from tests.conftest import require_sample
from tests.harvest.fakeapi import FakeAPI, load, no_sleep_controller, rows, watch

TOKEN = "IGQV-own-token-7788"
OWN = "17841400000000001"
NOW = datetime(2021, 8, 18, 9, 0, tzinfo=UTC)
ACCOUNT = Account("ig-devs", "instagram", handle="facebookfordevelopers", official_id="o1")


def sample(name: str):
    return require_sample("facebook-instagram-graph-api-pyfacebook", "instagram", "apidata", "discovery", name)


def fake_discovery() -> FakeAPI:
    pages = [load(sample("medias_p1.json")), load(sample("medias_p2.json"))]
    pages[1]["business_discovery"]["media"]["paging"] = {"cursors": {"before": "b2"}}  # the last page
    info = load(sample("user_fields.json"))

    def answer(params):
        fields = params.get("fields", "")
        assert fields.startswith("business_discovery.username(facebookfordevelopers){")
        if "media." not in fields:
            return info
        return pages[1] if ".after(" in fields else pages[0]

    api = FakeAPI()
    api.route(OWN, answer)
    return api


def collector(api):
    return InstagramDiscoveryCollector(controller=no_sleep_controller(), transport=api.transport(),
                                       now=lambda: NOW, window=timedelta(days=30), token=TOKEN, own_user_id=OWN)


@pytest.fixture
def ig(store):
    watch(store, ACCOUNT)
    return store


def test_posts_counts_and_followers_of_a_public_business_account_without_comments(ig, caplog):
    api = fake_discovery()
    result = harvest_account(ig, collector(api), watched_accounts(ig)[0])
    assert result.ok, result.error
    assert (result.counts["posts_new"], result.counts["all_comments_new"], result.counts["followers"]) == (4, 0, 1)
    post_rows, comment_rows = rows(ig)
    assert sorted(p[0] for p in post_rows) == ["17885103395504675", "17886271043461692", "17939347456563225",
                                               "18165241603086291"]
    assert comment_rows == []
    assert len(api.log) == 3  # followers, media page 1, media page 2 (by the after cursor); no comment requests
    assert NO_COMMENTS in caplog.text and "no comment texts" in NO_COMMENTS
    again = harvest_account(ig, collector(fake_discovery()), watched_accounts(ig)[0])
    assert again.ok and again.counts["posts_new"] == 0


def test_chosen_by_the_environment_and_needs_a_handle(monkeypatch, ig):
    monkeypatch.setenv("AKIMWATCH_INSTAGRAM_COLLECTOR", "discovery")
    assert collector_class("instagram", variant_for("instagram")) is InstagramDiscoveryCollector
    monkeypatch.delenv("AKIMWATCH_INSTAGRAM_COLLECTOR")
    assert variant_for("instagram") == "graph"
    nameless = Account("ig-x", "instagram", handle=None, platform_id="1")
    watch(ig, nameless)
    target = next(a for a in watched_accounts(ig) if a.id == "ig-x")
    result = harvest_account(ig, collector(fake_discovery()), target)
    assert not result.ok and "Business Discovery needs the Instagram username" in result.error
