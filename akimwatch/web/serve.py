"""Run the app under uvicorn (used by ``akimwatch serve`` and the benchmark)."""

from __future__ import annotations

import os
from typing import Any

from akimwatch.store.web_queries import open_pooled_store
from akimwatch.web.app import create_app
from akimwatch.web.config import WebConfig


def uvicorn_options(config: WebConfig) -> dict[str, Any]:
    """Proxy headers are believed only from ``config.trusted_proxies``. uvicorn's default trusts
    X-Forwarded-For from 127.0.0.1, so any local client could pick its address and bypass the login limit."""
    trusted = ",".join(p.strip() for p in config.trusted_proxies.split(",") if p.strip())
    if not trusted:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def app_from_env():
    """Factory for ``uvicorn --factory`` (several workers): store from AKIMWATCH_DB."""
    return create_app(open_pooled_store(os.environ.get("AKIMWATCH_DB")), WebConfig.from_env())


def serve_app(db: str | None, *, host: str = "127.0.0.1", port: int = 8000, config: WebConfig | None = None,
              log_level: str = "warning") -> None:
    import uvicorn

    config = config or WebConfig.from_env()
    app = create_app(open_pooled_store(db), config)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, **uvicorn_options(config))
