"""Web application: server-rendered pages, JSON API (/api/v1) and an Open311 GeoReport v2 feed."""

from akimwatch.web.app import create_app
from akimwatch.web.config import WebConfig

__all__ = ["WebConfig", "create_app"]
