"""The words of a report, from data: key findings, the «why» of each rank, a connected text per official.

Every sentence is a catalog message (English ids, ru/kk/en catalogs in akimwatch/locale) with plural agreement
by ``ngettext``; numbers, dates and quotes are formatted by the ``Writer``. Thin data are said to be thin.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from akimwatch.registry import region_label
from akimwatch.reports.explain import STATUS_MSG, account_label, explain_rank
from akimwatch.reports.writer import N_, Link, Quote, Strong, Writer, safe
from akimwatch.vocabulary import TOPIC_NAMES

PLATFORM_NAMES = {"instagram": "Instagram", "facebook": "Facebook", "x": "X (Twitter)", "telegram": "Telegram",
                  "vk": "VK", "youtube": "YouTube"}
CITY_REGIONS = ("KZ-71", "KZ-75", "KZ-79")
# Region names (English, as the catalogs' msgids) by ISO 3166-2 code; «of …» forms carry the genitive.
REGION_EN = {
    "KZ-10": N_("Abay Region"), "KZ-11": N_("Akmola Region"), "KZ-15": N_("Aktobe Region"), "KZ-19": N_("Almaty Region"),
    "KZ-23": N_("Atyrau Region"), "KZ-27": N_("West Kazakhstan Region"), "KZ-31": N_("Jambyl Region"), "KZ-33": N_("Jetisu Region"),
    "KZ-35": N_("Karaganda Region"), "KZ-39": N_("Kostanay Region"), "KZ-43": N_("Kyzylorda Region"), "KZ-47": N_("Mangystau Region"),
    "KZ-55": N_("Pavlodar Region"), "KZ-59": N_("North Kazakhstan Region"), "KZ-61": N_("Turkistan Region"),
    "KZ-62": N_("Ulytau Region"), "KZ-63": N_("East Kazakhstan Region"), "KZ-71": N_("Astana"), "KZ-75": N_("Almaty"),
    "KZ-79": N_("Shymkent"),
}
TOPIC_MSG = TOPIC_NAMES  # one vocabulary with the web pages (akimwatch/vocabulary.py)
REGION_OF = {
    "KZ-10": N_("of Abay Region"), "KZ-11": N_("of Akmola Region"), "KZ-15": N_("of Aktobe Region"),
    "KZ-19": N_("of Almaty Region"), "KZ-23": N_("of Atyrau Region"), "KZ-27": N_("of West Kazakhstan Region"),
    "KZ-31": N_("of Jambyl Region"), "KZ-33": N_("of Jetisu Region"), "KZ-35": N_("of Karaganda Region"),
    "KZ-39": N_("of Kostanay Region"), "KZ-43": N_("of Kyzylorda Region"), "KZ-47": N_("of Mangystau Region"),
    "KZ-55": N_("of Pavlodar Region"), "KZ-59": N_("of North Kazakhstan Region"), "KZ-61": N_("of Turkistan Region"),
    "KZ-62": N_("of Ulytau Region"), "KZ-63": N_("of East Kazakhstan Region"), "KZ-71": N_("of Astana"),
    "KZ-75": N_("of Almaty"), "KZ-79": N_("of Shymkent"),
}
FORMAT_MSG = (("photo", N_("photos {share}")), ("album", N_("albums {share}")), ("video", N_("videos {share}")),
              ("long_video", N_("long videos {share}")), ("text", N_("text only {share}")))
PRESS_MAJORITY = 0.5  # «most posts read like press releases» only when at least half do
THIN_COMMENTS = 20  # fewer citizen comments than this: statements about replies are hedged
THIN_POSTS = 5


def name_of(o: dict[str, Any], lang: str) -> str:
    return (o.get(f"name_{lang}") if lang != "ru" else None) or o.get("name") or o["official_id"]


def region_name(w: Writer, code: str | None) -> str:
    """One place for region names in every language: akimwatch/data/kz_regions.csv (registry.region_label)."""
    return region_label(code, w.lang)


def position_title(w: Writer, o: dict[str, Any]) -> str:
    """«Аким Восточно-Казахстанской области» / «Шығыс Қазақстан облысының әкімі» / «Akim of East Kazakhstan Region»."""
    code, pos = o.get("region"), o.get("position")
    if code in REGION_EN and (pos == "akim_region" or (pos == "akim_city" and code in CITY_REGIONS)):
        return w.raw("Akim {region_of}").format(region_of=w.raw(REGION_OF[code]))
    if pos == "akim_city":
        return w.raw("City akim, {region}").format(region=region_name(w, code))
    if pos == "akim_district":
        return w.raw("District akim, {region}").format(region=region_name(w, code))
    return region_name(w, code)


def topic_name(w: Writer, topic: str) -> str:
    return w.raw(TOPIC_MSG.get(topic, topic)) if topic in TOPIC_MSG else topic


def platform_name(p: str) -> str:
    return PLATFORM_NAMES.get(p, p)


def _dt(v: str | None) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


# --- ranking ---------------------------------------------------------------------------------------------------

def why(w: Writer, o: dict[str, Any], cfg: dict[str, Any]) -> Any:
    """The short «why» of a place (one wording with `akimwatch rank`)."""
    return explain_rank(w, o, cfg)


# --- key findings ----------------------------------------------------------------------------------------------

def key_findings(w: Writer, metrics: list[dict[str, Any]]) -> list[Any]:
    n = len(metrics)
    if not n:
        return [w._("The report covers no officials: check the watch list and the period.")]
    out = []
    quiet = [o for o in metrics if o["status"] in ("inactive", "dormant", "tagged_only", "no_account")]
    thin = [o for o in metrics if o["status"] == "thin_coverage"]
    head = w.n_("Of {n} akim in this report,", "Of {n} akims in this report,", n)
    if quiet:
        out.append(w.join([head, w.n_("{n} hardly uses social networks: {names}.",
                                      "{n} hardly use social networks: {names}.", len(quiet),
                                      names=safe(w.listing([name_of(o, w.lang) for o in quiet])))]))
    elif not thin:
        out.append(w.join([head, w._("all keep their accounts active.")]))
    if thin:
        days = [w.n_("{n} day", "{n} days", (o.get("data_coverage") or {}).get("days") or 0) for o in thin]
        named = [w._("{name} (data for {days})", name=name_of(o, w.lang), days=safe(d))
                 for o, d in zip(thin, days, strict=True)]
        out.append(w._("Too little data to judge: {names}.", names=safe(w.listing(named))))
    talkers = [o for o in metrics if o["official_replies"]]
    with_comments = [o for o in metrics if o["citizen_comments"]]
    if with_comments and not talkers:
        out.append(w._("None of them answers citizens' comments."))
    elif talkers:
        best = max(talkers, key=lambda o: (o["reply_rate"] or 0))
        out.append(w.n_("Only {n} answers citizens' comments: {names};",
                        "Only {n} answer citizens' comments: {names};", len(talkers),
                        names=safe(w.listing([name_of(o, w.lang) for o in talkers]))))
        out[-1] = w.join([out[-1], w._("the best reply rate is {rate} ({name}).", rate=w.pct(best["reply_rate"]),
                                       name=name_of(best, w.lang))])
    total = sum(o["citizen_comments"] for o in metrics)
    replied = sum(o.get("replied_comments") or 0 for o in metrics)
    if total:
        out.append(w.join([w.n_("Citizens left {n} comment under the akims' posts;",
                                "Citizens left {n} comments under the akims' posts;", total),
                           w.n_("{n} of them got no answer.", "{n} of them got no answer.", total - replied)]))
    topics: dict[str, int] = {}
    for o in metrics:
        for t in o.get("top_topics") or []:
            if t["topic"] not in ("none", "not labelled"):
                topics[t["topic"]] = topics.get(t["topic"], 0) + t["comments"]
    if topics:
        top = sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        items = [w._("{topic} ({count})", topic=topic_name(w, t), count=w.num(n)) for t, n in top]
        out.append(w._("Citizens write most about {topics}.", topics=safe(w.listing(items))))
    active = [o for o in metrics if o["posts"] and o["status"] != "thin_coverage"]
    if active:
        top = max(active, key=lambda o: o["posts_per_week"] or 0)
        out.append(w._("The most active is {name}: {per_week} posts a week.", name=name_of(top, w.lang),
                       per_week=w.num(top["posts_per_week"], 1)))  # a fraction: «7,8 поста»
    press = [o for o in metrics if (o["voice"].get("press_service") or 0) >= PRESS_MAJORITY]
    if press:
        out.append(w.n_("Written like a press service's releases: {names} ({n} account).",
                        "Written like a press service's releases: {names} ({n} accounts).", len(press),
                        names=safe(w.listing([name_of(o, w.lang) for o in press]))))
    reposters = [o for o in metrics if any((a.get("reposts") or 0) for a in o["accounts"])]
    if reposters:
        portals = all(_portal_sources(a) for o in reposters for a in o["accounts"] if a.get("reposts"))
        names = safe(w.listing([name_of(o, w.lang) for o in reposters]))
        out.append(w.n_("Reposts of news portals: {names} ({n} akim).", "Reposts of news portals: {names} ({n} akims).",
                        len(reposters), names=names) if portals else
                   w.n_("Reposts of other channels and sites: {names} ({n} akim).",
                        "Reposts of other channels and sites: {names} ({n} akims).", len(reposters), names=names))
    return out


# --- one official ----------------------------------------------------------------------------------------------

def _portal_sources(a: dict[str, Any]) -> bool:
    """Reposts are «news portals» only when every known source is a web domain (not a channel or a page name)."""
    sources = [s["source"] for s in a.get("repost_sources") or [] if s["source"] != "unknown"]
    return bool(sources) and all("." in s and " " not in s for s in sources)


def official_text(w: Writer, o: dict[str, Any], data: dict[str, Any]) -> list[Any]:
    """Paragraphs about one official, in the order of the article: accounts, rhythm, voice, citizens, answers."""
    paras = [_accounts_para(w, o)]
    if o["status"] == "thin_coverage":
        paras.append(thin_sentence(w, o))
    elif o["posts"]:
        paras.append(_rhythm_para(w, o))
    paras.append(_citizens_para(w, o, data))
    if o["citizen_comments"]:
        paras.append(_answers_para(w, o, data))
    return [p for p in paras if p]


def _account_phrase(w: Writer, a: dict[str, Any]) -> Any:
    label = Link(f"{platform_name(a['platform'])} {account_label(a)}", a.get("url"))
    if not a.get("posts"):
        return w._("{account} (no posts)", account=label)
    return w.n_("{account} ({n} post, {status})", "{account} ({n} posts, {status})", a["posts"], account=label,
                status=w.raw(STATUS_MSG.get(a["status"], a["status"])))


def _accounts_para(w: Writer, o: dict[str, Any]) -> Any:
    title = position_title(w, o)
    name = name_of(o, w.lang)
    accs = o["accounts"]
    if o["status"] == "tagged_only" or (accs and not any(a.get("posts_ever") for a in accs) and not o["posts"]):
        if o.get("tagged"):
            return w.n_("{title} {name} has no publications of his own: the akim is visible only through {n} tag "
                        "in other accounts' posts.",
                        "{title} {name} has no publications of his own: the akim is visible only through {n} tags "
                        "in other accounts' posts.", o["tagged"], title=title, name=Strong(name))
        return w._("{title} {name} has no publications of his own in the period: other users only tag the akim "
                   "in their photos and posts.", title=title, name=Strong(name))
    if not accs:
        return w._("{title} {name} has no known accounts in social networks.", title=title, name=Strong(name))
    parts = [w.n_("{title} {name} keeps {n} account: {accounts}.", "{title} {name} keeps {n} accounts: {accounts}.",
                  len(accs), title=title, name=Strong(name),
                  accounts=safe(w.listing([_account_phrase(w, a) for a in accs])))]
    if o["status"] == "inactive":
        parts.append(w.n_("The page is inactive: {n} post in all.", "The page is inactive: {n} posts in all.",
                          o["activity"]["posts_ever"]))
    elif o["status"] == "dormant" and o["activity"].get("last_post"):
        parts.append(w._("The account has gone quiet: the last post is dated {date}.",
                         date=w.date(o["activity"]["last_post"])))
    act = o["activity"]
    if o["posts"] and act.get("first_post"):
        parts.append(w._("In the period the first post came out on {first}, the last on {last}.",
                         first=w.date(act["first_post"]), last=w.date(act["last_post"])))
    return w.join(parts)


STREAM_MSG = {"export": N_("full export"), "preview": N_("preview page"), "harvest": N_("live collection")}


def coverage_phrase(w: Writer, cov: dict[str, Any] | None) -> str:
    """«12 мар. 2019 – 1 июл. 2019, 112 дней (полная выгрузка)», or «—» when the account has no data."""
    if not cov or not cov.get("start"):
        return "—"
    streams = ", ".join(w.raw(STREAM_MSG.get(s, s)) for s in cov.get("streams") or [])
    days = w.n_("{n} day", "{n} days", cov["days"])
    return str(w._("{start} – {end}, {days} ({streams})", start=w.date(cov["start"]), end=w.date(cov["end"]),
                   days=safe(days), streams=streams))


def thin_sentence(w: Writer, o: dict[str, Any]) -> Any:
    """«Данные за 1 день — выводов нет»: said exactly when the data cover too few days (status thin_coverage)."""
    cov = o.get("data_coverage") or {}
    return w.n_("Data for {n} day — no conclusions: the rhythm, silences and rank need a longer record.",
                "Data for {n} days — no conclusions: the rhythm, silences and rank need a longer record.",
                cov.get("days") or 0)


def _rhythm_phrase(w: Writer, per_week: float) -> Any:
    if per_week >= 5:
        return w._("Posts come out almost every day")
    if per_week >= 2:
        return w._("Posts come out several times a week")
    if per_week >= 0.8:
        return w._("Posts come out about once a week")
    return w._("Posts come out rarely")


def _rhythm_para(w: Writer, o: dict[str, Any]) -> Any:
    act = o["activity"]
    parts = [w.join([_rhythm_phrase(w, o["posts_per_week"] or 0),
                     w._("({per_week} a week on average);", per_week=w.num(o["posts_per_week"], 1)),
                     w.n_("the longest silence lasted {n} day.", "the longest silence lasted {n} days.",
                          round(act.get("longest_silence_days") or 0))])]
    fc: dict[str, int] = {}
    for a in o["accounts"]:
        for k, v in (a.get("format_counts") or {}).items():
            fc[k] = fc.get(k, 0) + v
    total = sum(fc.values())
    if total:
        shares = []
        for kind, msg in FORMAT_MSG:
            if fc.get(kind):
                shares.append(w._(msg, share=w.pct(fc[kind] / total)))
        if shares:
            parts.append(w._("Formats: {list}.", list=safe(w.join(shares, ", "))))
    for a in o["accounts"]:
        if a.get("reposts"):
            sources = [w._("{source} ({count})", source=s["source"], count=w.num(s["posts"]))
                       for s in (a.get("repost_sources") or [])[:4]]
            listed = w.listing(sources) or w.raw("unknown sources")
            share = w.pct(a.get("repost_share"))
            parts.append(w.n_("Reposts on {platform}: {n} post ({share}), mostly from {sources}.",
                              "Reposts on {platform}: {n} posts ({share}), mostly from {sources}.", a["reposts"],
                              platform=platform_name(a["platform"]), share=share, sources=safe(listed)))
    v = o["voice"]
    counts = v.get("counts") or {}
    known = (counts.get("personal") or 0) + (counts.get("press_service") or 0)
    if known < THIN_POSTS:
        parts.append(w._("Whose voice the posts speak in is hard to say: too little data."))
    elif (v.get("press_service") or 0) >= PRESS_MAJORITY:
        parts.append(w._("Most posts read like press releases: {share} are written in the third person, "
                         "apparently by the press service.", share=w.pct(v.get("press_service"))))
    elif (v.get("personal") or 0) >= PRESS_MAJORITY:
        parts.append(w._("The akim mostly speaks in his own voice: {share} of posts are written in the first "
                         "person.", share=w.pct(v.get("personal"))))
    else:
        parts.append(w._("Most posts have no clear voice: {press} read like press releases, {personal} are written "
                         "in the first person.", press=w.pct(v.get("press_service")),
                         personal=w.pct(v.get("personal"))))
    return w.join(parts)


def _examples(o: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    ex: list[dict[str, Any]] = []
    for t in o.get("top_topics") or []:
        for e in (o.get("examples") or {}).get(t["topic"], [])[:1]:
            ex.append(e)
    if not ex:
        ex = list(data.get("fallback_examples", {}).get(o["official_id"], []))
    return ex[:3]


def _citizens_para(w: Writer, o: dict[str, Any], data: dict[str, Any]) -> Any:
    n = o["citizen_comments"]
    if not n:
        return w._("No citizen comments were found in the period.") if o["posts"] else None
    parts = [w.n_("Citizens left {n} comment.", "Citizens left {n} comments.", n)]
    topics = [t for t in (o.get("top_topics") or []) if t["topic"] not in ("none", "not labelled")]
    if topics:
        items = [w._("{topic} ({count})", topic=topic_name(w, t["topic"]), count=w.num(t["comments"]))
                 for t in topics[:4]]
        parts.append(w._("They write most about {topics}.", topics=safe(w.listing(items))))
    elif o.get("topics_state") == "not_labelled":
        parts.append(w._("What they write about cannot be told yet: the comments have no topic labels "
                         "(run the analysis)."))
    ex = _examples(o, data)
    if ex:
        quotes = [Quote(e["text"]) for e in ex]
        parts.append(w._("Typical comments: {quotes}.", quotes=safe(w.join([w.value(q) for q in quotes], "; "))))
    if n < THIN_COMMENTS:
        parts.append(w._("Judging is hard: there is too little data."))
    return w.join(parts)


def _answers_para(w: Writer, o: dict[str, Any], data: dict[str, Any]) -> Any:
    n = o["citizen_comments"]
    replied = o.get("replied_comments") or 0
    parts = []
    if not o["official_replies"]:
        parts.append(w._("No answers to citizens' comments can be seen."))
    else:
        parts.append(w.n_("The akim's accounts answered {n} comment ({rate} of all);",
                          "The akim's accounts answered {n} comments ({rate} of all);", replied,
                          rate=w.pct(o["reply_rate"])))
        if o.get("median_reply_hours") is not None:
            parts[-1] = w.join([parts[-1], w._("the median reply time is {time}.",
                                               time=safe(w.duration_hours(o["median_reply_hours"])))])
    unanswered = o.get("unanswered")
    if isinstance(unanswered, dict) and unanswered.get("requests_questions") is not None:
        parts.append(w.n_("Still unanswered: {n} request or question.", "Still unanswered: {n} requests and "
                          "questions.", unanswered["requests_questions"]))
    elif o["official_replies"] and n - replied > 0:
        parts.append(w.n_("Without an answer: {n} comment.", "Without an answer: {n} comments.", n - replied))
    acted = o.get("acted_on") or []
    posts_acted = [a for a in acted if a["kind"] == "post"]
    promises = [a for a in acted if a["kind"] == "reply_promise"]
    links = data.get("post_links", {})
    if posts_acted and not o["official_replies"]:
        parts.append(w._("Despite the lack of answers in the comments, the akim pays attention to the issues raised."))
    for a in posts_acted[:3]:
        link = links.get(a["post_id"], {})
        parts.append(w.n_("Citizens raised {topic} ({n} comment), and {days} later the akim posted about it: {post}.",
                          "Citizens raised {topic} ({n} comments), and {days} later the akim posted about it: {post}.",
                          a["comments"], topic=topic_name(w, a["topic"]),
                          days=safe(w.n_("{n} day", "{n} days", a["days_after"])),
                          post=Link(w.date(a.get("post_utc") or link.get("published_utc")), link.get("url"))))
    if promises:
        first = min(promises, key=lambda a: a["post_utc"])
        link = links.get(first["post_id"], {})
        the_post = Link(w.raw("the post"), link.get("url"))
        parts.append(w.n_("In {n} reply the akim promised to act; the first on {date} ({post}).",
                          "In {n} replies the akim promised to act; the first on {date} ({post}).", len(promises),
                          date=w.date(first["post_utc"]), post=the_post))
    if not acted and o["official_replies"] == 0 and n >= THIN_COMMENTS:
        parts.append(w._("Whether the akimat reacts to these comments in deed is hard to tell: there is no "
                         "feedback in the comments."))
    if n < THIN_COMMENTS and o["official_replies"]:
        parts.append(w._("Judging is hard: there is too little data."))
    return w.join(parts)
