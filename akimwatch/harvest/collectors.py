"""Built-in collectors, one module per platform; ``make_collector`` builds the one for a platform."""

from __future__ import annotations

import importlib
import os
from typing import Any

# platform → "module:Class"; the module is imported only when that platform is harvested
COLLECTORS: dict[str, str] = {
    "telegram": "akimwatch.harvest.telegram_preview:TelegramPreviewCollector",
    "instagram": "akimwatch.harvest.instagram_graph:InstagramGraphCollector",
    "facebook": "akimwatch.harvest.facebook:FacebookCollector",
    "x": "akimwatch.harvest.x:XCollector",
    "vk": "akimwatch.harvest.vk:VKCollector",
    "youtube": "akimwatch.harvest.youtube:YouTubeCollector",
}


# other collectors for a platform, chosen by AKIMWATCH_<PLATFORM>_COLLECTOR (or by the credentials present)
ALTERNATIVES: dict[str, dict[str, str]] = {
    "telegram": {"preview": COLLECTORS["telegram"],
                 "telethon": "akimwatch.harvest.telegram_telethon:TelethonCollector"},
    "instagram": {"graph": COLLECTORS["instagram"],
                  "discovery": "akimwatch.harvest.instagram_discovery:InstagramDiscoveryCollector"},
}


def variant_for(platform: str) -> str | None:
    """``AKIMWATCH_<PLATFORM>_COLLECTOR`` when set; else Telegram: Telethon when its credentials are configured,
    else the public preview; Instagram: the page owner's Graph API."""
    if platform not in ALTERNATIVES:
        return None
    choice = os.environ.get(f"AKIMWATCH_{platform.upper()}_COLLECTOR", "").strip().lower()
    if choice:
        if choice not in ALTERNATIVES[platform]:
            raise NoCollector(f"AKIMWATCH_{platform.upper()}_COLLECTOR={choice!r}: choose one of "
                              f"{', '.join(ALTERNATIVES[platform])}")
        return choice
    if platform == "instagram":
        return "graph"
    from akimwatch.harvest.config import credential

    if credential("telegram_api_id", required=False) and credential("telegram_session", required=False):
        return "telethon"
    return "preview"


class NoCollector(Exception):
    """The platform has no collector here (or its importer is not installed in this build)."""


def collector_class(platform: str, variant: str | None = None):
    target = ALTERNATIVES[platform][variant] if variant else COLLECTORS.get(platform)
    if target is None:
        raise NoCollector(f"no collector for platform {platform!r}; known: {', '.join(COLLECTORS)}")
    module_name, _, cls = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise NoCollector(f"the {platform} collector cannot load ({exc}); this build lacks its importer") from None
    return getattr(module, cls)


def make_collector(platform: str, **kwargs: Any):
    return collector_class(platform, variant_for(platform))(**kwargs)
