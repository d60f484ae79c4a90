"""What each akim posts and what citizens write back — the article's picture, one function per official.

Each function returns ``{(official id, platform): [Post, ...]}``; demo/generate.py renders them.
"""

from __future__ import annotations

from datetime import timedelta

from demo import captions as C
from demo import quotes as Q
from demo import texts as T
from demo.generate import (
    COLLECTED,
    START,
    Comment,
    Ctx,
    Ids,
    Post,
    add_comments,
    caption,
    daily,
    day,
    kinds,
    people,
    rng_for,
    times,
)
from demo.officials import account

END = COLLECTED - timedelta(hours=3)
MEDIA = {"photo": 0.5, "video": 0.2, "album": 0.3}


def ctx(official: str, platform: str, crowd_key: str, ids: Ids, topics: dict[str, float], mean: float,
        places: str | None = None, **kw) -> Ctx:
    return Ctx(account(official, platform)["handle"], rng_for(f"{official}:{platform}"),
               people(crowd_key, 60, ids), C.PLACES[places or official], topics, mean, **kw)


def plain(c: Ctx, stamps, key: str, likes: tuple[int, int], media=MEDIA) -> list[Post]:
    posts = []
    for ts in stamps:
        p = Post(ts, caption(c.rng, key, c.places), kinds(c.rng, media), likes=c.rng.randint(*likes))
        add_comments(c, p)
        posts.append(p)
    return posts


def quoted(c: Ctx, post: Post, text: str, hours: float) -> Comment:
    com = Comment(text, post.ts + timedelta(hours=hours, minutes=c.rng.randrange(60)), c.rng.choice(c.crowd),
                  likes=c.rng.randrange(20, 120), topic="quote")
    post.comments.append(com)
    post.comments.sort(key=lambda x: x.ts)
    return com


def kulginov(ids: Ids) -> dict:
    c = ctx("kulginov", "instagram", "kulginov", ids, {}, 6)
    zko = C.PLACES["kulginov_zko"]
    before = {"thanks": 3, "roads": 2, "gas": 1, "utilities": 1, "social": 1, "question": 0.5}
    after = {"zko_praise": 2, "thanks": 2, "greening": 2, "gas": 2, "longbuild": 2, "traffic": 1, "question": 1,
             "utilities": 1}
    posts = []
    for ts in daily(c.rng, START, END, 0.88):
        if ts.month == 6 and ts.day in (13, 14):
            continue
        zko_time = ts < day(6, 13)
        key = "kulginov_zko" if zko_time else "kulginov"
        p = Post(ts, caption(c.rng, key, zko if zko_time else c.places), kinds(c.rng, MEDIA),
                 likes=c.rng.randint(700, 3000))
        add_comments(c, p, topics=before if zko_time else after)
        posts.append(p)
    appointed = Post(day(6, 13, 18, 40), "Мемлекет басшысы Қасым-Жомарт Кемелұлына сенім артқаны үшін алғыс "
                     "айтамын! Благодарю Главу государства за доверие. Нур-Султан — сердце нашей страны. Сделаем "
                     "всё, чтобы жителям столицы было удобно и комфортно.", "photo", likes=9400)
    farewell = Post(day(6, 14, 11, 5), "Спасибо, Западный Казахстан! Рахмет, қымбатты батысқазақстандықтар! "
                    "Три года мы работали вместе. Орал — менің жүрегімде.", "video", likes=11200)
    for p in (appointed, farewell):
        add_comments(c, p, n=18, topics={"zko_praise": 4, "thanks": 3, "gas": 1, "greening": 1})
    quoted(c, appointed, Q.ZKO_PRAISE[0], 1.5)
    quoted(c, farewell, Q.ZKO_PRAISE[1], 3)
    quoted(c, appointed, Q.ZKO_PRAISE[2], 5)
    return {("kulginov", "instagram"): sorted(posts + [appointed, farewell], key=lambda p: p.ts)}


def sagintayev(ids: Ids) -> dict:
    topics = {"traffic": 3, "whitewash": 2, "gas": 2, "zoo": 3, "thanks": 1, "question": 1, "utilities": 1}
    ig = ctx("sagintayev", "instagram", "sagintayev", ids, topics, 14)
    fb = ctx("sagintayev", "facebook", "sagintayev", ids, topics, 7)
    tw = ctx("sagintayev", "x", "sagintayev", ids, {**topics, "zoo": 1}, 4)
    address = day(6, 20, 10, 0)
    civil = day(6, 24, 19, 20)
    zoo_visit = day(7, 11, 17, 30)
    civil_text = (f"{Q.SAGINTAYEV_CIVIL_SOCIETY}, на активных и неравнодушных горожан. Жду ваших предложений — "
                  "пишите, читаю всё.")
    out = {}
    for c, extra, platform in ((ig, 12, "instagram"), (fb, 7, "facebook"), (tw, 4, "x")):
        posts = [Post(address, Q.SAGINTAYEV_ADDRESS, "video", likes=c.rng.randint(4000, 9000)),
                 Post(civil + timedelta(minutes=3 if platform != "instagram" else 0), civil_text, "photo")]
        for ts in times(c.rng, day(6, 21), day(7, 10), extra):
            if ts.date() not in (civil.date(), zoo_visit.date()):
                text = caption(c.rng, "sagintayev", c.places)
                posts.append(Post(ts, text if platform != "x" else text.split(". ")[0] + ". " + text.split(". ")[1],
                                  "photo" if platform == "x" else kinds(c.rng, MEDIA)))
        zoo_text = Q.ZOO_VISIT if platform != "x" else (
            "Посетил наш алматинский зоопарк. На месте ознакомился с состоянием дел. Алматинскому зоопарку более "
            "80 лет, он всегда был излюбленным местом отдыха детей и горожан и должен таковым оставаться.")
        zoo = Post(zoo_visit, zoo_text, "album" if platform != "x" else "photo")
        for p in posts:
            p.likes = p.likes or c.rng.randint(1500, 6000)
            add_comments(c, p, n=None if p.ts != address else int(c.mean_comments * 2))
        zoo.likes = c.rng.randint(3000, 7000)
        add_comments(c, zoo, topics={"zoo_after": 4, "zoo": 2, "thanks": 2, "traffic": 1})
        out[("sagintayev", platform)] = sorted(posts + [zoo], key=lambda p: p.ts)
    # The article's zoo comments, under Instagram posts of early July — before the zoo visit.
    july = [p for p in out[("sagintayev", "instagram")] if day(7, 1) <= p.ts < day(7, 9)]
    for i, text in enumerate(Q.ZOO_COMMENTS):
        quoted(ig, july[i % len(july)], text, 2 + i)
    return out


def abdrakhimov(ids: Ids) -> dict:
    c = ctx("abdrakhimov", "instagram", "abdrakhimov", ids,
            {"thanks": 2, "roads": 2, "utilities": 2, "gas": 1, "greening": 1, "schools": 1, "question": 1}, 4)
    posts = plain(c, times(c.rng, START, END, 44), "abdrakhimov", (300, 1500))
    for ts in times(c.rng, day(3, 9), END, 12):
        p = Post(ts, caption(c.rng, "football", c.places), kinds(c.rng, {"photo": 0.6, "video": 0.4}),
                 likes=c.rng.randint(800, 2500))
        add_comments(c, p, topics={"football": 5, "thanks": 1, "roads": 0.3})
        posts.append(p)
    return {("abdrakhimov", "instagram"): sorted(posts, key=lambda p: p.ts)}


def nukenov(ids: Ids) -> dict:
    c = ctx("nukenov", "instagram", "nukenov", ids, {"thanks": 2, "roads": 1, "utilities": 1, "insects": 1}, 3)
    first = Post(day(6, 4, 15, 20), C.CAPTIONS["nukenov"][0], "photo", likes=310)
    second = Post(day(6, 17, 12, 45), C.CAPTIONS["nukenov"][1].format(place="Усолка"), "photo", likes=190)
    for p in (first, second):
        add_comments(c, p, n=4)
    return {("nukenov", "instagram"): [first, second]}


def bakauov(ids: Ids) -> dict:
    c = ctx("bakauov", "instagram", "bakauov", ids,
            {"insects": 3, "parks": 2, "social": 3, "housing": 2, "thanks": 2, "utilities": 1, "question": 1}, 5)
    stamps = [ts for ts in times(c.rng, START, END, 56) if ts.date() not in (day(7, 2).date(), day(7, 9).date())]
    posts = plain(c, stamps, "bakauov", (200, 1200))
    for ts in (day(7, 2, 16, 10), day(7, 9, 13, 30)):
        p = Post(ts, caption(c.rng, "arys", ["Баянаул", "Иртышский район"]), "album", likes=c.rng.randint(600, 1500))
        add_comments(c, p, topics={"thanks": 4, "social": 1, "insects": 1})
        posts.append(p)
    return {("bakauov", "instagram"): sorted(posts, key=lambda p: p.ts)}


def marzhikpaev(ids: Ids) -> dict:
    c = ctx("marzhikpaev", "instagram", "marzhikpaev", ids,
            {"thanks": 3, "agri": 2, "roads": 2, "schools": 1, "gas": 1, "utilities": 1}, 1.6)
    posts = []
    for ts in times(c.rng, START, END, 248):
        if c.rng.random() < 0.18:
            p = Post(ts, caption(c.rng, "marzhikpaev_igtv", c.places), "igtv", likes=c.rng.randint(150, 700))
        else:
            p = Post(ts, caption(c.rng, "marzhikpaev", c.places), kinds(c.rng, MEDIA), likes=c.rng.randint(150, 900))
        add_comments(c, p)
        posts.append(p)
    return {("marzhikpaev", "instagram"): posts}


def batalov(ids: Ids) -> dict:
    topics = {"utilities": 3, "prices": 3, "roads": 2, "personal": 2, "thanks": 1, "gas": 1}
    ig = ctx("batalov", "instagram", "batalov", ids, topics, 8)
    fb = ctx("batalov", "facebook", "batalov", ids, topics, 4)
    first = Post(day(4, 9, 11, 0), "Сәлеметсіздер ме, жерлестер! Открыл свой Instagram — здесь буду рассказывать о "
                 "работе в области и читать ваши предложения.", "photo", likes=2100)
    add_comments(ig, first, n=15)
    posts = [first, *plain(ig, times(ig.rng, day(4, 12), day(7, 10), 15), "batalov", (400, 1800))]
    feed = plain(fb, times(fb.rng, START, END, 18), "batalov", (50, 400))
    for ts in times(fb.rng, day(3, 5), END, 12):
        domain, site, title = fb.rng.choice(C.CAPTIONS["batalov_share"])
        title = title.format(n=fb.rng.randrange(12, 90))
        p = Post(ts, fb.rng.choice(["Подробнее по ссылке", "Толығырақ сілтемеде", title, ""]), "share",
                 link=(domain, site, title), likes=fb.rng.randint(20, 200), shares=fb.rng.randint(0, 40))
        add_comments(fb, p)
        feed.append(p)
    return {("batalov", "instagram"): posts, ("batalov", "facebook"): sorted(feed, key=lambda p: p.ts)}


def aksakalov(ids: Ids) -> dict:
    topics = {"thanks": 2, "roads": 2, "utilities": 2, "gas": 1, "question": 1}
    ig = ctx("aksakalov", "instagram", "aksakalov", ids, topics, 3)
    fb = ctx("aksakalov", "facebook", "aksakalov", ids, topics, 2)
    return {("aksakalov", "instagram"): plain(ig, times(ig.rng, START, END, 11), "aksakalov", (150, 700)),
            ("aksakalov", "facebook"): plain(fb, times(fb.rng, START, END, 7), "aksakalov", (30, 200))}


def akhmetov(ids: Ids) -> dict:
    topics = {"roads": 2, "utilities": 2, "gas": 1, "social": 1, "thanks": 3, "personal": 1, "schools": 1}
    ig = ctx("akhmetov", "instagram", "akhmetov", ids, topics, 5, answers=0.35)
    fb = ctx("akhmetov", "facebook", "akhmetov", ids, topics, 3, answers=0.35)
    return {("akhmetov", "instagram"): plain(ig, times(ig.rng, START, END, 95), "akhmetov", (400, 2500)),
            ("akhmetov", "facebook"): plain(fb, times(fb.rng, START, END, 60), "akhmetov", (80, 600))}


def mukhambetov(ids: Ids) -> dict:
    c = ctx("mukhambetov", "instagram", "mukhambetov", ids,
            {"roads": 3, "thanks": 2, "utilities": 1, "prices": 1, "agri": 1, "question": 1}, 3)
    roads_day = day(7, 4, 18, 15)
    stamps = [ts for ts in times(c.rng, START, END, 72) if ts.date() != roads_day.date()]
    posts = plain(c, stamps, "mukhambetov", (200, 1200))
    roads = Post(roads_day, Q.KOSTANAY_ROADS, "album", likes=1650)
    add_comments(c, roads, n=12, topics={"roads": 4, "thanks": 2, "question": 1})
    return {("mukhambetov", "instagram"): sorted(posts + [roads], key=lambda p: p.ts)}


def urazalin(ids: Ids) -> dict:
    c = ctx("urazalin", "facebook", "urazalin", ids,
            {"utilities": 2, "roads": 2, "thanks": 1, "social": 1, "question": 1, "prices": 1}, 2.5,
            answers=0.06, answer_texts=tuple(T.PRESS_SERVICE_REPLIES))
    posts = plain(c, times(c.rng, START, END, 36), "urazalin", (40, 300),
                  media={"photo": 0.5, "video": 0.25, "album": 0.25})
    for ts in times(c.rng, START, END, 10):
        domain, site, title = c.rng.choice(C.CAPTIONS["urazalin_share"])
        title = title.format(n=c.rng.randrange(10, 60))
        p = Post(ts, title, "share", link=(domain, site, title), likes=c.rng.randint(20, 150),
                 shares=c.rng.randint(0, 25))
        add_comments(c, p)
        posts.append(p)
    return {("urazalin", "facebook"): sorted(posts, key=lambda p: p.ts)}


def trumov(ids: Ids) -> dict:
    """No own posts: other Facebook accounts tag him (the page's /tagged edge)."""
    me = account("trumov", "facebook")
    c = ctx("trumov", "facebook", "trumov", ids, {"utilities": 2, "thanks": 2, "roads": 1, "gas": 1}, 3)
    authors: dict[str, str] = {}
    posts = []
    for ts, (author, kind, template) in zip(times(c.rng, day(4, 1), END, len(C.TRUMOV_TAGGED)), C.TRUMOV_TAGGED,
                                            strict=True):
        if author not in authors:
            authors[author] = ids.digits("1000" if kind == "user" else "4", 15)
        text = template.format(place=c.rng.choice(c.places), tag=me["name"])
        p = Post(ts, text, "photo", likes=c.rng.randint(10, 300), tags=[(me["platform_id"], me["name"], "page")],
                 author=(authors[author], author))
        add_comments(c, p)
        posts.append(p)
    return {("trumov", "facebook_tagged"): posts}


STORY = (kulginov, sagintayev, abdrakhimov, nukenov, bakauov, marzhikpaev, batalov, aksakalov, akhmetov,
         mukhambetov, urazalin, trumov)
