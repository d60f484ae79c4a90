"""Write the watch list into the store, merging accounts first seen in imports."""

from __future__ import annotations

from sqlalchemy import Connection, delete, select, update

from akimwatch.registry import Registry
from akimwatch.store.save import dialect_insert, handle_key, now_utc, recompute_official_replies
from akimwatch.store.schema import account_links, accounts, follower_snapshots, officials, posts


def save_registry(conn: Connection, registry: Registry) -> dict[str, int]:
    """Upsert officials and accounts; an unassigned account matching a listed one is merged into it."""
    for off in registry.officials:
        values = {"name_ru": off.name_ru, "name_kk": off.name_kk, "name_en": off.name_en,
                  "position": off.position, "region": off.region, "term_start": off.term_start,
                  "term_end": off.term_end}
        stmt = dialect_insert(conn, officials).values(id=off.id, **values)
        conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
    merged = 0
    for acc in registry.accounts:
        key = handle_key(acc.handle)
        values = {"platform": acc.platform, "handle": acc.handle, "handle_key": key, "url": acc.url,
                  "role": acc.role, "official_id": acc.official_id, "on_watch_list": True}
        if acc.platform_id:
            values["platform_id"] = acc.platform_id
        # Accounts the imports created before the list named them.
        clauses = []
        if acc.platform_id:
            clauses.append(accounts.c.platform_id == acc.platform_id)
        if key:
            clauses.append(accounts.c.handle_key == key)
        from sqlalchemy import or_

        twins = [row for row in conn.execute(
            select(accounts.c.id, accounts.c.platform_id).where(
                accounts.c.platform == acc.platform, accounts.c.id != acc.id, accounts.c.on_watch_list.is_(False),
                or_(*clauses)))]
        stmt = dialect_insert(conn, accounts).values(id=acc.id, created_utc=now_utc(), **values)
        conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
        for twin in twins:
            if twin.platform_id and not acc.platform_id:
                conn.execute(update(accounts).where(accounts.c.id == acc.id).values(platform_id=twin.platform_id))
            conn.execute(update(posts).where(posts.c.account_id == twin.id).values(account_id=acc.id))
            snaps = conn.execute(select(follower_snapshots).where(follower_snapshots.c.account_id == twin.id)).all()
            for snap in snaps:
                conn.execute(dialect_insert(conn, follower_snapshots).values(
                    account_id=acc.id, taken_utc=snap.taken_utc, followers=snap.followers).on_conflict_do_nothing())
            conn.execute(delete(follower_snapshots).where(follower_snapshots.c.account_id == twin.id))
            conn.execute(delete(accounts).where(accounts.c.id == twin.id))
            merged += 1
    conn.execute(delete(account_links).where(account_links.c.account_id.in_([a.id for a in registry.accounts])))
    links = [{"account_id": a.id, "linked_account_id": link} for a in registry.accounts for link in a.linked]
    if links:
        conn.execute(account_links.insert(), links)
    recompute_official_replies(conn)
    return {"officials": len(registry.officials), "accounts": len(registry.accounts), "merged": merged}
