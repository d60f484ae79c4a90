"""Open311 GeoReport v2 conformance: every field of services and requests, filters, errors, JSON and XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from akimwatch.store.web_queries import TOPICS

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}


def w3c(value: str) -> datetime:
    assert value[-6] in "+-" and value[10] == "T", value  # W3C date-time with an explicit offset
    return datetime.fromisoformat(value)


def assert_error(r, code: int):
    assert r.status_code == code
    body = r.json()
    assert isinstance(body, list) and len(body) == 1
    assert set(body[0]) == {"code", "description"} and body[0]["code"] == code and body[0]["description"]


def test_services(app_client):
    r = app_client.get("/open311/v2/services.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    services = r.json()
    assert {s["service_code"] for s in services} == set(TOPICS)
    for s in services:
        assert set(s) == SERVICE_FIELDS
        assert s["metadata"] is False and s["type"] in ("realtime", "batch", "blackbox")
        assert s["service_name"] and s["group"]
    gas = next(s for s in services if s["service_code"] == "gas")
    assert gas["service_name"] == "Газоснабжение" and gas["group"] == "ЖКХ"
    en = app_client.get("/open311/v2/services.json?lang=en").json()
    assert next(s for s in en if s["service_code"] == "gas")["group"] == "Housing and utilities"
    d = app_client.get("/open311/v2/services/gas.json").json()
    assert d == {"service_code": "gas", "attributes": []}
    assert_error(app_client.get("/open311/v2/services/nope.json"), 404)


def test_requests_fields_and_mapping(app_client):
    r = app_client.get("/open311/v2/requests.json")
    assert r.status_code == 200
    items = r.json()
    assert len(items) == 6
    for item in items:
        assert set(item) == REQUEST_FIELDS
        assert item["status"] in ("open", "closed")
        assert item["service_code"] in TOPICS
        w3c(item["requested_datetime"])
        w3c(item["updated_datetime"])
        assert w3c(item["expected_datetime"]) - w3c(item["requested_datetime"]) == timedelta(hours=24)
    gas = next(i for i in items if i["service_code"] == "gas")
    assert gas["media_url"] == "https://instagram.com/p/p2"
    assert "[телефон]" in gas["description"] and "900101300123" not in gas["description"]
    assert gas["status"] == "open" and gas["status_notes"].startswith("Новое")
    assert gas["agency_responsible"] is None
    zoo_answered = [i for i in items if i["service_code"] == "animals_zoo" and "Аким ответил" in i["status_notes"]]
    assert len(zoo_answered) == 1 and zoo_answered[0]["status"] == "open"  # answered is not resolved


def test_requests_filters(app_client):
    c = app_client
    assert {i["service_code"] for i in c.get("/open311/v2/requests.json?service_code=gas").json()} == {"gas"}
    assert c.get("/open311/v2/requests.json?status=closed").json() == []
    assert len(c.get("/open311/v2/requests.json?status=open,closed").json()) == 6
    now = datetime.now(UTC)
    start = (now - timedelta(days=10)).isoformat(timespec="seconds")
    end = (now - timedelta(days=5)).isoformat(timespec="seconds")
    assert c.get("/open311/v2/requests.json", params={"start_date": start, "end_date": end}).json() == []
    assert len(c.get("/open311/v2/requests.json", params={"start_date": start}).json()) == 6
    one = c.get("/open311/v2/requests.json?service_code=gas").json()[0]
    got = c.get(f"/open311/v2/requests/{one['service_request_id']}.json").json()
    assert isinstance(got, list) and got[0] == one
    both = c.get("/open311/v2/requests.json", params={"service_request_id": f"{one['service_request_id']},1"}).json()
    assert {b["service_request_id"] for b in both} == {one["service_request_id"], "1"}


def test_default_window_is_90_days(seeded):
    from sqlalchemy import update

    from akimwatch.inbox.tables import requests
    from tests.web.conftest import make_client

    engine, _ = seeded
    with make_client(engine) as c:
        c.get("/open311/v2/requests.json")
        with engine.begin() as conn:
            conn.execute(update(requests).where(requests.c.id == 1)
                         .values(requested_utc=datetime.now(UTC) - timedelta(days=120)))
        c.app.state.cache.invalidate()  # a change made outside the app shows within a minute; now at once
        ids = {i["service_request_id"] for i in c.get("/open311/v2/requests.json").json()}
        assert "1" not in ids and len(ids) == 5
        old = c.get("/open311/v2/requests.json", params={"start_date": "2000-01-01T00:00:00+05:00"}).json()
        assert "1" in {i["service_request_id"] for i in old}


def test_xml_format(app_client):
    r = app_client.get("/open311/v2/requests.xml?service_code=gas")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(r.content)
    assert root.tag == "service_requests"
    req = root.find("request")
    assert {child.tag for child in req} == REQUEST_FIELDS
    assert req.findtext("service_code") == "gas" and req.findtext("status") == "open"
    services = ET.fromstring(app_client.get("/open311/v2/services.xml").content)
    assert services.tag == "services" and len(services.findall("service")) == len(TOPICS)
    err = app_client.get("/open311/v2/requests/999999.xml")
    assert err.status_code == 404
    e = ET.fromstring(err.content)
    assert e.tag == "errors" and e.find("error").findtext("code") == "404"


@pytest.mark.parametrize("query, code", [
    ("service_code=nope", 404),
    ("status=pending", 400),
    ("start_date=yesterday", 400),
    ("end_date=2019-13-45T00:00:00Z", 400),
    ("start_date=2020-02-01T00:00:00Z&end_date=2020-01-01T00:00:00Z", 400),
    ("service_request_id=1;DROP TABLE requests", 400),
    ("jurisdiction_id=elsewhere.kz", 404),
])
def test_request_list_errors(app_client, query, code):
    assert_error(app_client.get(f"/open311/v2/requests.json?{query}"), code)


def test_single_request_errors(app_client):
    assert_error(app_client.get("/open311/v2/requests/999999.json"), 404)
    assert_error(app_client.get("/open311/v2/requests/abc.json"), 404)
    assert_error(app_client.get("/open311/v2/requests.yaml"), 404)


def test_post_request(app_client):
    c = app_client
    key = c.info["keys"]["write"]
    form = {"api_key": key, "service_code": "utilities", "address_string": "Алматы, ул. Абая 1",
            "description": "Нет горячей воды", "first_name": "Айгерим", "phone": "+77011234567",
            "email": "a@example.kz", "lat": "43.238", "long": "76.945"}
    r = c.post("/open311/v2/requests.json", data=form)
    assert r.status_code == 201, r.text
    body = r.json()
    assert isinstance(body, list) and set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    rid = body[0]["service_request_id"]
    got = c.get(f"/open311/v2/requests/{rid}.json").json()[0]
    assert got["service_code"] == "utilities" and got["address"] == "Алматы, ул. Абая 1"
    assert got["lat"] == 43.238 and got["long"] == 76.945 and got["status"] == "open"
    assert "77011234567" not in r.text + c.get(f"/open311/v2/requests/{rid}.json").text  # requester stays private
    x = c.post("/open311/v2/requests.xml", data=form)
    assert x.status_code == 201 and ET.fromstring(x.content).tag == "service_requests"
    events = c.get(f"/api/v1/requests/{rid}", headers={"X-Api-Key": key}).json()["events"]
    assert events[0]["action"] == "created" and events[0]["actor"].startswith("api-key:")


@pytest.mark.parametrize("change, code", [
    ({"api_key": None}, 403),
    ({"api_key": "aw_wrong"}, 403),
    ({"api_key": "READ"}, 403),
    ({"service_code": None}, 400),
    ({"service_code": "nope"}, 400),
    ({"address_string": None, "lat": None, "long": None}, 400),
    ({"lat": "north", "long": "1"}, 400),
    ({"description": "x" * 5000}, 400),
])
def test_post_errors_change_nothing(app_client, change, code):
    c = app_client
    form = {"api_key": c.info["keys"]["write"], "service_code": "gas", "address_string": "Алматы",
            "description": "нет газа"}
    for k, v in change.items():
        if v is None:
            form.pop(k, None)
        else:
            form[k] = c.info["keys"]["read"] if v == "READ" else v
    before = len(c.get("/open311/v2/requests.json").json())
    assert_error(c.post("/open311/v2/requests.json", data=form), code)
    assert len(c.get("/open311/v2/requests.json").json()) == before


def test_discovery(app_client):
    d = app_client.get("/open311/v2/discovery.json").json()
    assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
