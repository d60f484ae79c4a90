"""Every data file inside the package ships in the wheel (templates, models, catalogs, demo data, maps)."""

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_package_data_patterns_cover_every_non_python_file():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]["*"]
    missing = [str(p.relative_to(ROOT)) for p in (ROOT / "akimwatch").rglob("*")
               if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
               and not any(fnmatch.fnmatch(p.name, pat) for pat in patterns)]
    assert missing == [], f"add patterns to [tool.setuptools.package-data] for: {missing}"
