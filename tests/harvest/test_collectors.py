"""Contract over all built-in collectors, and docs coverage (sqlite-utils' test_docs idea)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from akimwatch.cli import app
from akimwatch.harvest.collectors import COLLECTORS, NoCollector, collector_class, make_collector
from akimwatch.harvest.config import POLICIES, MissingCredential, credential
from akimwatch.harvest.walk import FeedCollector
from akimwatch.models import PLATFORMS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_platform_has_a_collector():
    assert set(COLLECTORS) == set(PLATFORMS) == set(POLICIES)


@pytest.mark.parametrize("platform", sorted(COLLECTORS))
def test_collector_contract_and_docs(platform):
    cls = collector_class(platform)
    assert issubclass(cls, FeedCollector) and cls.name and cls.default_base.startswith("https://")
    for hook in ("first_page", "next_page"):
        assert getattr(cls, hook) is not getattr(FeedCollector, hook), f"{cls.__name__} lacks {hook}"
    text = (DOCS / "collectors.md").read_text(encoding="utf-8")
    assert f"`{cls.name}`" in text
    assert f"AKIMWATCH_{cls.platform.upper()}_BASE_URL" in text
    if cls.credential_name:
        assert f"AKIMWATCH_{cls.credential_name.upper()}" in text


def test_missing_credential_names_the_variable_and_the_file(monkeypatch, tmp_path):
    monkeypatch.delenv("AKIMWATCH_VK_TOKEN", raising=False)
    monkeypatch.setenv("AKIMWATCH_CONFIG", str(tmp_path / "creds.toml"))
    (tmp_path / "creds.toml").write_text("")
    with pytest.raises(MissingCredential, match="AKIMWATCH_VK_TOKEN .* vk_token"):
        make_collector("vk")
    (tmp_path / "creds.toml").write_text('[credentials]\nvk_token = "from-file"\n')
    assert credential("vk_token") == "from-file"
    monkeypatch.setenv("AKIMWATCH_VK_TOKEN", "from-env")
    assert credential("vk_token") == "from-env"


def test_unknown_platform():
    with pytest.raises(NoCollector, match="known: telegram"):
        make_collector("myspace")


@pytest.mark.parametrize("command", ["harvest", "schedule"])
def test_commands_have_help_and_docs(command):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output
    assert f"akimwatch {command}" in (DOCS / "collectors.md").read_text(encoding="utf-8")
    assert "akimwatch schedule --once" in (DOCS / "deploy.md").read_text(encoding="utf-8")


def test_telegram_collector_choice(monkeypatch, tmp_path):
    from akimwatch.harvest.collectors import variant_for

    (tmp_path / "none.toml").write_text("")
    monkeypatch.setenv("AKIMWATCH_CONFIG", str(tmp_path / "none.toml"))
    for key in ("AKIMWATCH_TELEGRAM_COLLECTOR", "AKIMWATCH_TELEGRAM_API_ID", "AKIMWATCH_TELEGRAM_SESSION"):
        monkeypatch.delenv(key, raising=False)
    assert variant_for("telegram") == "preview" and variant_for("vk") is None
    assert type(make_collector("telegram")).__name__ == "TelegramPreviewCollector"
    monkeypatch.setenv("AKIMWATCH_TELEGRAM_API_ID", "12345")
    monkeypatch.setenv("AKIMWATCH_TELEGRAM_SESSION", "1BVtsOK...")
    assert variant_for("telegram") == "telethon"
    monkeypatch.setenv("AKIMWATCH_TELEGRAM_COLLECTOR", "telethon")
    monkeypatch.delenv("AKIMWATCH_TELEGRAM_API_ID")
    with pytest.raises(MissingCredential):  # Telethon not installed, or its credentials missing: said clearly
        make_collector("telegram")
    monkeypatch.setenv("AKIMWATCH_TELEGRAM_COLLECTOR", "bot")
    with pytest.raises(NoCollector, match="preview, telethon"):
        make_collector("telegram")
    assert "`telegram_telethon`" in (DOCS / "collectors.md").read_text(encoding="utf-8")
