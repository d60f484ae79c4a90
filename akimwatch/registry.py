"""The watch list: who is watched and on which accounts (YAML, or CSV one row per account).

Validation reports every problem with the file, line and field, so a journalist editing
the list by hand knows exactly what to fix.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from akimwatch.models import ACCOUNT_ROLES, PLATFORMS, Account, Official

POSITIONS = ("akim_city", "akim_region", "akim_district", "other")
OFFICIAL_FIELDS = {"id", "name", "name_ru", "name_kk", "name_en", "position", "region", "term", "term_start",
                   "term_end", "accounts"}
ACCOUNT_FIELDS = {"id", "platform", "handle", "url", "platform_id", "role", "linked", "official"}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}: field '{self.field}' {self.message}"


class RegistryError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Registry:
    officials: list[Official] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    path: str = ""


@lru_cache(maxsize=1)
def kz_regions() -> dict[str, dict[str, str]]:
    """ISO 3166-2:KZ codes → names; legacy (pre-2023) codes map to current ones."""
    text = resources.files("akimwatch.data").joinpath("kz_regions.csv").read_text("utf-8")
    return {row["iso_code"]: row for row in csv.DictReader(text.splitlines())}


def region_label(code: str | None, lang: str) -> str:
    """A region's name in the reader's language (``name_ru`` / ``name_kk`` Cyrillic / ``name_en``), for every output;
    legacy codes resolve to the current region, unknown codes are shown as they are."""
    if not code:
        return "—"
    regions = kz_regions()
    row = regions.get(code) or regions.get(legacy_region_codes().get(code, ""))
    if not row:
        return code
    return row.get(f"name_{lang}") or row["name_ru"]


def legacy_region_codes() -> dict[str, str]:
    return {row["legacy_iso_code"]: code for code, row in kz_regions().items() if row.get("legacy_iso_code")}


class _LineLoader(yaml.SafeLoader):
    """Remembers the line of every mapping so errors can point at it."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__lines__"] = {str(k.value): k.start_mark.line + 1 for k, _v in node.value}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_registry(path: str | Path) -> Registry:
    """Read and validate a watch list; raise RegistryError listing every problem found."""
    path = Path(path)
    if not path.exists():
        raise RegistryError([Problem(str(path), 0, "-", "file does not exist")])
    entries = _read_csv(path) if path.suffix.lower() == ".csv" else _read_yaml(path)
    return _validate(path, entries)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise RegistryError([Problem(str(path), line, "-", f"is not valid YAML: {exc.problem}")]) from None
    except UnicodeDecodeError:
        raise RegistryError([Problem(str(path), 0, "-", "is not UTF-8 text")]) from None
    if not isinstance(data, dict):
        raise RegistryError([Problem(str(path), 1, "officials", "is missing: the file must be a mapping "
                                     "with 'officials:' (and optionally 'accounts:')")])
    return data


def _read_csv(path: Path) -> dict[str, Any]:
    """CSV: one row per account; official columns repeat on each of its rows."""
    officials: dict[str, dict[str, Any]] = {}
    loose: list[dict[str, Any]] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            acc = {"__line__": line_no, "id": row.get("account_id") or None, "platform": row.get("platform"),
                   "handle": row.get("handle") or None, "url": row.get("url") or None,
                   "platform_id": row.get("platform_id") or None, "role": row.get("role") or "personal",
                   "linked": [x for x in (row.get("linked") or "").split(";") if x]}
            oid = row.get("official_id")
            if not oid:
                if acc["platform"]:
                    loose.append(acc)
                continue
            off = officials.setdefault(oid, {
                "__line__": line_no, "id": oid, "name_ru": row.get("name_ru"), "name_kk": row.get("name_kk") or None,
                "name_en": row.get("name_en") or None, "position": row.get("position"),
                "region": row.get("region") or None, "term_start": row.get("term_start") or None,
                "term_end": row.get("term_end") or None, "accounts": []})
            if acc["platform"]:
                off["accounts"].append(acc)
    return {"officials": list(officials.values()), "accounts": loose}


def _validate(path: Path, data: dict[str, Any]) -> Registry:
    problems: list[Problem] = []
    reg = Registry(path=str(path))
    where = str(path)
    regions = kz_regions()
    legacy = legacy_region_codes()
    seen_officials: set[str] = set()
    seen_accounts: dict[str, int] = {}

    def bad(node: dict[str, Any], fld: str, msg: str) -> None:
        lines = node.get("__lines__") or {}
        line = lines.get(fld) or lines.get(fld.split("_")[0]) or node.get("__line__", 0)
        problems.append(Problem(where, int(line), fld, msg))

    def check_date(node: dict[str, Any], fld: str, value: Any) -> str | None:
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            bad(node, fld, f"is not a date YYYY-MM-DD ({value!r})")
            return None

    def read_account(node: Any, official_id: str | None) -> None:
        if not isinstance(node, dict):
            problems.append(Problem(where, 0, "accounts", f"entry is not a mapping ({node!r})"))
            return
        for key in node:
            if key not in ("__line__", "__lines__") and key not in ACCOUNT_FIELDS:
                bad(node, key, f"is not a known account field (known: {', '.join(sorted(ACCOUNT_FIELDS))})")
        platform = node.get("platform")
        if platform not in PLATFORMS:
            bad(node, "platform", f"must be one of {', '.join(PLATFORMS)} (got {platform!r})")
            return
        handle = node.get("handle")
        handle = str(handle).lstrip("@") if handle not in (None, "") else None
        pid = node.get("platform_id")
        pid = str(pid) if pid not in (None, "") else None
        role = node.get("role") or "personal"
        if role not in ACCOUNT_ROLES:
            bad(node, "role", f"must be one of {', '.join(ACCOUNT_ROLES)} (got {role!r})")
        if not handle and not pid:
            bad(node, "handle", "is missing: an account needs a handle or a platform_id")
            return
        acc_id = str(node.get("id") or f"{platform}:{(handle or pid).lower()}")
        if acc_id in seen_accounts:
            bad(node, "id", f"duplicates account '{acc_id}' (line {seen_accounts[acc_id]})")
            return
        seen_accounts[acc_id] = int(node.get("__line__", 0))
        linked = node.get("linked") or []
        if isinstance(linked, str):
            linked = [linked]
        reg.accounts.append(Account(id=acc_id, platform=platform, handle=handle, url=node.get("url"),
                                    platform_id=pid, role=role, official_id=official_id or node.get("official"),
                                    linked=tuple(str(x) for x in linked)))

    officials = data.get("officials")
    if officials is None:
        officials = []
    if not isinstance(officials, list):
        bad(data, "officials", "must be a list")
        officials = []
    for node in officials:
        if not isinstance(node, dict):
            problems.append(Problem(where, 0, "officials", f"entry is not a mapping ({node!r})"))
            continue
        for key in node:
            if key not in ("__line__", "__lines__") and key not in OFFICIAL_FIELDS:
                bad(node, key, f"is not a known official field (known: {', '.join(sorted(OFFICIAL_FIELDS))})")
        oid = node.get("id")
        if not oid or not isinstance(oid, str | int):
            bad(node, "id", "is missing")
            continue
        oid = str(oid)
        if oid in seen_officials:
            bad(node, "id", f"duplicates official '{oid}'")
            continue
        seen_officials.add(oid)
        name = node.get("name")
        names = name if isinstance(name, dict) else {"ru": name} if name else {}
        name_ru = node.get("name_ru") or names.get("ru")
        if not name_ru:
            bad(node, "name", "is missing (the Russian full name, e.g. name: {ru: ..., kk: ..., en: ...})")
        position = node.get("position")
        if position not in POSITIONS:
            bad(node, "position", f"must be one of {', '.join(POSITIONS)} (got {position!r})")
        region = node.get("region")
        if region:
            region = legacy.get(str(region), str(region))
            if region not in regions:
                bad(node, "region", f"is not an ISO 3166-2:KZ code ({node.get('region')!r}; e.g. KZ-75 for Almaty)")
        term = node.get("term") if isinstance(node.get("term"), dict) else {}
        start = check_date(node, "term_start", node.get("term_start", term.get("start")))
        end = check_date(node, "term_end", node.get("term_end", term.get("end")))
        reg.officials.append(Official(id=oid, name_ru=name_ru or "", position=position or "other",
                                      region=region or None, name_kk=node.get("name_kk") or names.get("kk"),
                                      name_en=node.get("name_en") or names.get("en"),
                                      term_start=start, term_end=end))
        for acc in node.get("accounts") or []:
            read_account(acc, oid)
    for acc in data.get("accounts") or []:
        read_account(acc, None)
    for acc in reg.accounts:
        if acc.official_id and acc.official_id not in seen_officials:
            problems.append(Problem(where, seen_accounts[acc.id], "official",
                                    f"names unknown official '{acc.official_id}'"))
        for link in acc.linked:
            if link not in seen_accounts:
                problems.append(Problem(where, seen_accounts[acc.id], "linked", f"names unknown account '{link}'"))
    if problems:
        raise RegistryError(problems)
    return reg
