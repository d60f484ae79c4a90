from pathlib import Path

import pytest
from typer.testing import CliRunner

from akimwatch.cli import app
from akimwatch.registry import RegistryError, load_registry

FIX = Path(__file__).parent / "fixtures" / "registry"


def test_yaml_watch_list_loads_with_names_regions_terms_and_links():
    reg = load_registry(FIX / "good.yaml")
    assert [o.id for o in reg.officials] == ["sagintayev", "trumov"]
    sag = reg.officials[0]
    assert (sag.name_ru, sag.name_kk, sag.name_en) == ("Бакытжан Сагинтаев", "Бақытжан Сағынтаев",
                                                      "Bakytzhan Sagintayev")
    assert sag.term_start == "2019-06-13" and sag.term_end is None
    assert reg.officials[1].region == "KZ-47"  # legacy code KZ-MAN mapped to the current one
    acc = {a.id: a for a in reg.accounts}
    assert acc["sagintayev-ig"].handle == "b.sagintayev"
    assert acc["sagintayev-ig"].linked == ("almaty-akimat-ig",)
    assert acc["almaty-akimat-ig"].official_id is None and acc["almaty-akimat-ig"].role == "press_service"


def test_csv_watch_list_groups_accounts_under_officials():
    reg = load_registry(FIX / "good.csv")
    assert [o.id for o in reg.officials] == ["kulginov"]
    assert [(a.id, a.platform, a.handle, a.platform_id) for a in reg.accounts] == [
        ("kulginov-ig", "instagram", "kulginov_altai", None), ("kulginov-fb", "facebook", None, "100001")]


def test_every_problem_is_reported_with_line_and_field():
    with pytest.raises(RegistryError) as info:
        load_registry(FIX / "bad.yaml")
    path = FIX / "bad.yaml"
    assert [str(p) for p in info.value.problems] == [
        f"{path}, line 4: field 'position' must be one of akim_city, akim_region, akim_district, other (got 'mayor')",
        f"{path}, line 5: field 'region' is not an ISO 3166-2:KZ code ('KZ-99'; e.g. KZ-75 for Almaty)",
        f"{path}, line 7: field 'platform' must be one of instagram, facebook, x, telegram, vk, youtube (got 'myspace')",
        f"{path}, line 9: field 'id' duplicates official 'a1'",
        f"{path}, line 12: field 'name' is missing (the Russian full name, e.g. name: {{ru: ..., kk: ..., en: ...}})",
        f"{path}, line 14: field 'term_start' is not a date YYYY-MM-DD ('12.07.2019')",
        f"{path}, line 17: field 'role' must be one of personal, press_service, official_page (got 'boss')",
        f"{path}, line 16: field 'handle' is missing: an account needs a handle or a platform_id",
    ]


def test_missing_file_is_reported():
    with pytest.raises(RegistryError) as info:
        load_registry(Path("/nonexistent/watch.yaml"))
    assert str(info.value) == "/nonexistent/watch.yaml, line 0: field '-' file does not exist"


def test_registry_check_cli_exit_codes(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["registry", "check", str(FIX / "good.yaml")])
    assert ok.exit_code == 0 and "2 officials, 2 accounts" in ok.output
    broken = tmp_path / "w.yaml"
    broken.write_text("officials:\n  - id: x\n    name: [unclosed\n", encoding="utf-8")
    res = runner.invoke(app, ["registry", "check", str(broken)])
    assert res.exit_code == 1
    assert f"{broken}, line" in res.output and "is not valid YAML" in res.output
    res = runner.invoke(app, ["registry", "check", str(FIX / "bad.yaml")])
    assert res.exit_code == 1 and "problem(s)" in res.output
