"""Audience: followers where known and their change, likes and comments per post, engagement per follower."""

from __future__ import annotations

from typing import Any


def compute_audience(post_rows: list[dict[str, Any]], snapshots: list[dict[str, Any]],
                     stored_comments: int) -> dict[str, Any]:
    likes = [r["likes"] for r in post_rows if r["likes"] is not None]
    counts = [r["comments_count"] for r in post_rows if r["comments_count"] is not None]
    n = len(post_rows)
    likes_pp = sum(likes) / len(likes) if likes else None
    # The platform's own comment counter when the export has it; otherwise the comments we hold.
    comments_pp = (sum(counts) / len(counts)) if counts else (stored_comments / n if n else None)
    first = snapshots[0] if snapshots else None
    last = snapshots[-1] if snapshots else None
    followers = last["followers"] if last else None
    engagement = None
    if followers and (likes_pp is not None or comments_pp is not None):
        engagement = ((likes_pp or 0) + (comments_pp or 0)) / followers
    return {
        "followers": followers,
        "followers_first": first["followers"] if first else None,
        "followers_change": (last["followers"] - first["followers"]) if first and last else None,
        "followers_taken_utc": last["taken_utc"].isoformat() if last else None,
        "likes_per_post": round(likes_pp, 2) if likes_pp is not None else None,
        "comments_per_post": round(comments_pp, 2) if comments_pp is not None else None,
        "engagement_rate": round(engagement, 5) if engagement is not None else None,
    }
