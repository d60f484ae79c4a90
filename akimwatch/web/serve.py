"""Run the app under uvicorn (used by ``akimwatch serve`` and the benchmark)."""

from __future__ import annotations

import os

from akimwatch.store.web_queries import open_pooled_store
from akimwatch.web.app import create_app
from akimwatch.web.config import WebConfig


def app_from_env():
    """Factory for ``uvicorn --factory`` (several workers): store from AKIMWATCH_DB."""
    return create_app(open_pooled_store(os.environ.get("AKIMWATCH_DB")), WebConfig.from_env())


def serve_app(db: str | None, *, host: str = "127.0.0.1", port: int = 8000, config: WebConfig | None = None,
              log_level: str = "warning") -> None:
    import uvicorn

    app = create_app(open_pooled_store(db), config or WebConfig.from_env())
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
