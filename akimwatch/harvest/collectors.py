"""Built-in collectors, one module per platform; ``make_collector`` builds the one for a platform."""

from __future__ import annotations

import importlib
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


class NoCollector(Exception):
    """The platform has no collector here (or its importer is not installed in this build)."""


def collector_class(platform: str):
    target = COLLECTORS.get(platform)
    if target is None:
        raise NoCollector(f"no collector for platform {platform!r}; known: {', '.join(COLLECTORS)}")
    module_name, _, cls = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise NoCollector(f"the {platform} collector cannot load ({exc}); this build lacks its importer") from None
    return getattr(module, cls)


def make_collector(platform: str, **kwargs: Any):
    return collector_class(platform)(**kwargs)
