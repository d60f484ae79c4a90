"""The words of the civic signals (issue 17): each sentence with the condition under which it may be said.

The numbers come from the metrics JSON (``removals``…); a section appears only when the numbers hold: a page that
no later visit re-checked, or with too few comments in either group, gets no section at all (silence, not an
all-clear). No sentence says who removed a comment: a harvest cannot tell the page from the author.
"""

from __future__ import annotations

from typing import Any

from akimwatch.reports.writer import Writer

SPEAKABLE_REMOVAL_STATES = ("criticism_removed_more", "praise_removed_more", "no_difference")


def _interval(w: Writer, ci: list[float] | tuple[float, float] | None) -> Any:
    if not ci:
        return "—"
    return w._("{low}–{high}", low=w.pct(ci[0], 1), high=w.pct(ci[1], 1))


def removal_paragraphs(w: Writer, o: dict[str, Any]) -> list[Any]:
    """Sentences about removed comments, or [] when the numbers do not allow any (too few, never re-checked)."""
    r = o.get("removals") or {}
    state = r.get("state")
    if state not in SPEAKABLE_REMOVAL_STATES:
        return []
    crit, praise = r["criticism"], r["praise"]
    out = []
    out.append(w._("Of {n} citizens' complaints and critical comments, {k} later disappeared from the page ({rate}; "
                   "95 % interval {ci}); of {n2} comments of praise and thanks, {k2} ({rate2}; {ci2}).",
                   n=w.num(crit["comments"]), k=w.num(crit["removed"]), rate=w.pct(crit["rate"], 1),
                   ci=_interval(w, crit["ci95"]), n2=w.num(praise["comments"]), k2=w.num(praise["removed"]),
                   rate2=w.pct(praise["rate"], 1), ci2=_interval(w, praise["ci95"])))
    if state == "criticism_removed_more":
        out.append(w._("Criticism disappeared {ratio} times as often as praise; the difference is larger than "
                       "chance would explain.", ratio=w.num(r["criticism_to_praise"], 1))
                   if r.get("criticism_to_praise") else
                   w._("Criticism disappeared more often than praise; the difference is larger than chance would "
                       "explain."))
        if r.get("criticism_median_hours") is not None:
            out.append(w._("Half of the removed critical comments were gone within {time} of being posted.",
                           time=w.duration_hours(r["criticism_median_hours"])))
    elif state == "praise_removed_more":
        out.append(w._("Praise disappeared more often than criticism; nothing suggests that criticism is removed."))
    else:
        out.append(w._("The two rates do not differ by more than chance: these data give no sign that criticism "
                       "is removed."))
    out.append(w._("A harvest sees only that a comment is gone, not who removed it: the page or the author."))
    return out


def coordination_paragraphs(w: Writer, o: dict[str, Any]) -> list[Any]:
    """Sentences about suspected coordinated praise, only when a cluster met all three signals; never «bots» or
    «paid»: the owners of the accounts are not known."""
    c = o.get("coordination") or {}
    if c.get("state") != "suspected" or not c.get("suspected"):
        return []
    out = [w._("{k} of {n} citizens' comments ({share}) look coordinated: near-identical praise from {a} accounts "
               "that comment only to praise this official, posted within minutes of each other under the same post "
               "({clusters} groups).", k=w.num(c["suspected"]), n=w.num(c["citizen_comments"]),
               share=w.pct(c["suspected_share"], 1), a=w.num(c["suspected_authors"]), clusters=w.num(c["clusters"]))]
    if c.get("positive_share") is not None and c.get("positive_share_without") is not None:
        out.append(w._("Without them, positive comments are {without} of the total instead of {with_}.",
                       without=w.pct(c["positive_share_without"], 1), with_=w.pct(c["positive_share"], 1)))
    out.append(w._("This is a suspicion, not a proof: the pattern fits an organised campaign, but who runs these "
                   "accounts is not known."))
    return out


def civic_sections(w: Writer, o: dict[str, Any]) -> list[dict[str, Any]]:
    """The civic sections of one official's part of the report (title + paragraphs), only those that hold."""
    sections = []
    removals = removal_paragraphs(w, o)
    if removals:
        sections.append({"id": "removals", "title": w.raw("Removed comments"), "paragraphs": removals})
    coordinated = coordination_paragraphs(w, o)
    if coordinated:
        sections.append({"id": "coordination", "title": w.raw("Coordinated praise"), "paragraphs": coordinated})
    return sections
