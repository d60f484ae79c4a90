"""Every CLI command has help text and an entry in docs/cli.md (like sqlite-utils' test_docs)."""

from pathlib import Path

import pytest
from typer.main import get_command

from akimwatch.cli import app

DOCS = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")


def commands(group=None, prefix=""):
    group = group or get_command(app)
    for name, sub in sorted(group.commands.items()):
        if hasattr(sub, "commands"):
            yield from commands(sub, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", sub


@pytest.mark.parametrize(("name", "command"), list(commands()), ids=lambda v: v if isinstance(v, str) else "")
def test_command_has_help_and_docs(name, command):
    assert (command.help or "").strip(), f"akimwatch {name} has no help text"
    assert f"### akimwatch {name}\n" in DOCS, f"docs/cli.md has no '### akimwatch {name}' section"


def test_docs_name_no_command_that_does_not_exist():
    documented = {line[len("### akimwatch "):].strip() for line in DOCS.splitlines() if line.startswith("### akimwatch ")}
    assert documented == {name for name, _ in commands()}
