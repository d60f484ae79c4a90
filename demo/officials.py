"""The twelve akims the article names (real people) with INVENTED accounts: handles and ids are plausible
placeholders, not their real accounts. ``platform_id`` values are the ids the demo files use, so the
importers map every post to the right watch-list account.

Term dates only where known for certain (the two June 2019 appointments); others are left empty.
"""

OFFICIALS = [
    {"id": "kulginov", "name": {"ru": "Алтай Кульгинов", "kk": "Алтай Көлгінов", "en": "Altai Kulginov"},
     "position": "akim_city", "region": "KZ-71", "term": {"start": "2019-06-13"},
     "accounts": [{"platform": "instagram", "handle": "altai.kulginov", "platform_id": "17841401844650227",
                   "name": "Алтай Кульгинов"}]},
    {"id": "sagintayev", "name": {"ru": "Бакытжан Сагинтаев", "kk": "Бақытжан Сағынтаев",
                                  "en": "Bakytzhan Sagintayev"},
     "position": "akim_city", "region": "KZ-75", "term": {"start": "2019-06-18"},
     "accounts": [{"platform": "instagram", "handle": "b.sagintayev", "platform_id": "17841417533098126",
                   "name": "Бакытжан Сагинтаев"},
                  {"platform": "facebook", "handle": "b.sagintayev", "platform_id": "2386149101631052",
                   "name": "Бакытжан Сагинтаев"},
                  {"platform": "x", "handle": "BSagintayev", "platform_id": "1141652083946512384",
                   "name": "Бакытжан Сагинтаев"}]},
    {"id": "abdrakhimov", "name": {"ru": "Габидулла Абдрахимов", "kk": "Ғабидолла Әбдірахымов",
                                   "en": "Gabidulla Abdrakhimov"},
     "position": "akim_city", "region": "KZ-79",
     "accounts": [{"platform": "instagram", "handle": "abdrakhimov.gabidulla", "platform_id": "17841408712095514",
                   "name": "Габидулла Абдрахимов"}]},
    {"id": "nukenov", "name": {"ru": "Кайрат Нукенов", "kk": "Қайрат Нүкенов", "en": "Kairat Nukenov"},
     "position": "akim_city", "region": "KZ-55",
     "accounts": [{"platform": "instagram", "handle": "nukenov.kairat", "platform_id": "17841415902337861",
                   "name": "Кайрат Нукенов"}]},
    {"id": "bakauov", "name": {"ru": "Булат Бакауов", "kk": "Болат Бақауов", "en": "Bulat Bakauov"},
     "position": "akim_region", "region": "KZ-55",
     "accounts": [{"platform": "instagram", "handle": "bakauov_bulat", "platform_id": "17841403370958312",
                   "name": "Булат Бакауов"}]},
    {"id": "marzhikpaev", "name": {"ru": "Ермек Маржикпаев", "kk": "Ермек Маржықпаев", "en": "Yermek Marzhikpayev"},
     "position": "akim_region", "region": "KZ-11",
     "accounts": [{"platform": "instagram", "handle": "marzhikpayev.yermek", "platform_id": "17841402215477090",
                   "name": "Ермек Маржикпаев"}]},
    {"id": "batalov", "name": {"ru": "Амандык Баталов", "kk": "Амандық Баталов", "en": "Amandyk Batalov"},
     "position": "akim_region", "region": "KZ-19",
     "accounts": [{"platform": "instagram", "handle": "batalov.amandyk", "platform_id": "17841413094461875",
                   "name": "Амандык Баталов"},
                  {"platform": "facebook", "handle": "amandyk.batalov", "platform_id": "1675098432617760",
                   "name": "Амандык Баталов"}]},
    {"id": "aksakalov", "name": {"ru": "Кумар Аксакалов", "kk": "Құмар Ақсақалов", "en": "Kumar Aksakalov"},
     "position": "akim_region", "region": "KZ-59",
     "accounts": [{"platform": "instagram", "handle": "aksakalov.kumar", "platform_id": "17841405287731649",
                   "name": "Кумар Аксакалов"},
                  {"platform": "facebook", "handle": "kumar.aksakalov", "platform_id": "1540233912741086",
                   "name": "Кумар Аксакалов"}]},
    {"id": "akhmetov", "name": {"ru": "Даниал Ахметов", "kk": "Даниал Ахметов", "en": "Daniyal Akhmetov"},
     "position": "akim_region", "region": "KZ-63",
     "accounts": [{"platform": "instagram", "handle": "daniyal.akhmetov", "platform_id": "17841401267348805",
                   "name": "Даниал Ахметов"},
                  {"platform": "facebook", "handle": "daniyal.akhmetov.vko", "platform_id": "1037465429712358",
                   "name": "Даниал Ахметов"}]},
    {"id": "mukhambetov", "name": {"ru": "Архимед Мухамбетов", "kk": "Архимед Мұхамбетов",
                                   "en": "Arkhimed Mukhambetov"},
     "position": "akim_region", "region": "KZ-39",
     "accounts": [{"platform": "instagram", "handle": "mukhambetov.arkhimed", "platform_id": "17841404621183937",
                   "name": "Архимед Мухамбетов"}]},
    {"id": "urazalin", "name": {"ru": "Ондасын Уразалин", "kk": "Оңдасын Оразалин", "en": "Ondasyn Urazalin"},
     "position": "akim_region", "region": "KZ-15",
     "accounts": [{"platform": "facebook", "handle": "ondasyn.urazalin", "platform_id": "1854210064810093",
                   "name": "Ондасын Уразалин"}]},
    {"id": "trumov", "name": {"ru": "Серикбай Трумов", "kk": "Серікбай Тұрымов", "en": "Serikbay Trumov"},
     "position": "akim_region", "region": "KZ-47",
     "accounts": [{"platform": "facebook", "handle": "serikbay.trumov", "platform_id": "1129380647150824",
                   "name": "Серикбай Трумов"}]},
]


def account(official_id: str, platform: str) -> dict:
    off = next(o for o in OFFICIALS if o["id"] == official_id)
    return next(a for a in off["accounts"] if a["platform"] == platform)


def watchlist_yaml() -> str:
    """The watch list in the registry format (akimwatch/registry.py), written by hand-rolled YAML so the
    bytes never depend on a YAML library version."""
    lines = ["# Demo watch list — SYNTHETIC. The officials are real (named in the BNews.kz article of",
             "# 12 July 2019); handles, urls and platform ids are invented placeholders, not their real accounts.",
             "# Generated by demo/generate.py — do not edit by hand.", "officials:"]
    for off in OFFICIALS:
        n = off["name"]
        lines += [f"  - id: {off['id']}",
                  f"    name: {{ru: \"{n['ru']}\", kk: \"{n['kk']}\", en: \"{n['en']}\"}}",
                  f"    position: {off['position']}", f"    region: {off['region']}"]
        if off.get("term"):
            lines.append(f"    term: {{start: {off['term']['start']}}}")
        lines.append("    accounts:")
        for acc in off["accounts"]:
            acc_id = f"{acc['platform']}:{acc['handle'].lower()}"
            lines += [f"      - id: \"{acc_id}\"", f"        platform: {acc['platform']}",
                      f"        handle: \"{acc['handle']}\"", f"        url: \"{url(acc)}\"",
                      f"        platform_id: \"{acc['platform_id']}\"", f"        role: {acc.get('role', 'personal')}"]
    return "\n".join(lines) + "\n"


def url(acc: dict) -> str:
    return {"instagram": "https://www.instagram.com/{}/", "facebook": "https://www.facebook.com/{}/",
            "x": "https://twitter.com/{}"}[acc["platform"]].format(acc["handle"])
