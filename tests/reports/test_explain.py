"""The «why» of a rank: one wording in ru/kk/en with real plural agreement."""

from akimwatch.config import load_config
from akimwatch.reports.explain import explain_text

CFG = load_config()


def official(**over):
    o = {"rank_state": "ranked", "activity": {"posts": 40, "posts_per_week": 7.8, "weeks_with_posts": 19,
                                              "weeks_observed": 21},
         "components": {"activity": 98.0, "responsiveness": 42.0, "action": None, "personal_voice": 100.0,
                        "engagement": None},
         "reply_rate_requests": 0.42, "requests_questions": 91, "replied_requests_questions": 38,
         "reply_rate": 0.3, "citizen_comments": 100, "replied_comments": 30, "coverage": None, "acted_on": [],
         "voice": {"counts": {"personal": 1, "press_service": 0}}}
    o.update(over)
    return o


def test_russian_wording_agrees_with_numbers():
    text = explain_text(official(), CFG, "ru")
    assert "активность 98 — 7,8 поста в неделю, посты в 19 из 21 недели" in text
    assert "ответ на 38 из 91 просьбы и вопроса" in text
    assert "1 личный пост из 1" in text
    assert "без данных: повестка и действия" in text


def test_not_enough_data_in_three_languages():
    thin = official(rank_state="not_enough_data", activity={"posts": 2, "posts_per_week": 0.1,
                                                            "weeks_with_posts": 2, "weeks_observed": 20})
    assert explain_text(thin, CFG, "ru") == ("недостаточно данных: 2 собственных поста за период "
                                             "(нужно не меньше 5)")
    assert explain_text(thin, CFG, "en") == "not enough data: 2 own posts in the period (at least 5 needed)"
    assert explain_text(thin, CFG, "kk").startswith("дерек жеткіліксіз") or "кезеңде 2 өз жазбасы" in \
        explain_text(thin, CFG, "kk")
