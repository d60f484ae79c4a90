"""Voice of an official's post: written in the first person (``personal``) or as a press release (``press_service``).

A transparent rule set, Russian and Kazakh:

- ``personal`` cues: first-person pronouns («я», «мне», «мой»…), first-person verbs («буду», «благодарю»…),
  a sentence that *starts* with a past-tense verb and no subject («Посетил наш зоопарк», «Сегодня провёл
  совещание» — Russian drops «я»), Kazakh first-person endings («бардым», «тапсырдым», «өткіздім», «айтамын»).
- ``press_service`` cues: the akim as a grammatical subject in the third person («Аким области провёл…»,
  «облыс әкімі … барды»), press-release forms («состоялось», «в ходе совещания», «по информации»,
  «сообщает»), a press-service signature («Пресс-служба акима», «баспасөз қызметі»), and any repost.
- Nothing matched (a bare photo caption, hashtags only): ``unknown`` — counted as such, never guessed.

Measured on ``data/voice_eval.csv`` (real quoted posts with provenance; the set is tiny — see
docs/methodology.md «Voice»). Labels are stored as analyzer ``voice`` so metrics read them like any other label.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

try:  # the shared analyzer contract (akimwatch/analysis/base.py) when present
    from akimwatch.analysis.base import Label
except ImportError:  # pragma: no cover - before the analysis package lands
    @dataclass(frozen=True, slots=True)
    class Label:  # type: ignore[no-redef]
        value: str
        confidence: float
        extra: dict[str, Any] | None = None


VALUES = ("personal", "press_service", "unknown")

_F = re.IGNORECASE | re.UNICODE
_PAST = (r"(?:посетил|провёл|провел|поручил|встретился|встретилась|побывал|осмотрел|ознакомился|принял|открыл|"
         r"вручил|обсудил|проверил|подписал|поздравил|выступил|наградил|проинспектировал|объехал|дал поручение)")
_PERSONAL = [
    (re.compile(r"(?<![\w-])(?:я|мне|меня|мной|мною|мой|моя|моё|мое|мои|моих|моей|моему|моим)(?![\w-])", _F),
     2.0, "first-person pronoun"),
    (re.compile(r"(?<![\w-])(?:буду|хочу|считаю|благодарю|поздравляю|приглашаю|обращаюсь|открываю|прошу|"
                r"уверен|горжусь|желаю|призываю|обещаю|готов|рад)(?![\w-])", _F), 1.5, "first-person verb"),
    (re.compile(r"(?:^|[.!?…]\s+|\n\s*)(?:(?:сегодня|вчера|накануне|утром|днём|днем|вечером|на днях|также|"
                r"сегодня утром)[\s,]+)?" + _PAST + r"(?![\w-])", _F), 1.5, "sentence starts with a past verb"),
    (re.compile(r"(?<![\w-])\w{2,}(?:дым|дім|тым|тім|амын|емін|ймын|ймін|аман|еймін)(?![\w-])", _F),
     1.5, "Kazakh first-person ending"),
    (re.compile(r"(?:^|[.!?…]\s+)мен(?![\w-])", re.UNICODE), 1.0, "Kazakh «мен» opening a sentence"),
]
_PRESS = [
    (re.compile(r"(?<![\w-])(?:аким|глава региона|глава города|градоначальник)\w*\s+(?:[\w.-]+\s+){0,4}?" + _PAST,
                _F), 2.5, "akim as third-person subject"),
    (re.compile(r"(?<![\w-])әкімі?\s+(?:[\w.-]+\s+){0,5}?\w+(?:ді|ды|ті|ты)(?![\w-])", _F),
     2.5, "Kazakh «әкімі … -ді» third person"),
    (re.compile(r"пресс-служб|баспасөз қызмет|пресс-релиз", _F), 2.0, "press-service signature"),
    (re.compile(r"(?<![\w-])(?:состоял(?:ось|ся|ась)|было проведено|была проведена|в ходе (?:встречи|совещания|"
                r"рабочей поездки|визита)|по информации|сообщает|сообщили|сообщило|отметил[аи]?,? что|"
                r"подчеркнул[аи]?,? что|источник:|подробнее:)", _F), 1.0, "press-release form"),
    (re.compile(r"#?акимат\w*", _F), 0.5, "akimat mention"),
]


def classify_voice(text: str | None, is_repost: bool = False) -> Label:
    """One post → Label(value, confidence, extra={'cues': [...]})."""
    if is_repost:
        return Label("press_service", 0.9, {"cues": ["repost"]})
    text = text or ""
    personal, press, cues = 0.0, 0.0, []
    for rx, weight, name in _PERSONAL:
        if rx.search(text):
            personal += weight
            cues.append(f"+personal: {name}")
    for rx, weight, name in _PRESS:
        if rx.search(text):
            press += weight
            cues.append(f"+press: {name}")
    if personal == press:
        return Label("unknown", 0.0, {"cues": cues})
    value = "personal" if personal > press else "press_service"
    margin = abs(personal - press)
    return Label(value, round(min(0.95, 0.5 + 0.15 * margin), 2), {"cues": cues})


VERSION = "rules-1"


def label_batch(batch) -> list[Label]:
    """The registry's labeller: posts only; a batch's ``reposts`` flags make reposts press-service voice."""
    reposts = batch.reposts or [False] * len(batch.texts)
    return [classify_voice(t, bool(r)) for t, r in zip(batch.texts, reposts, strict=True)]


class VoiceAnalyzer:
    """Analyzer ``voice`` (rule set); ``label`` sees texts only, ``label_posts`` also knows reposts."""

    name = "voice"
    version = VERSION

    def label(self, texts: list[str]) -> list[Label]:
        return [classify_voice(t) for t in texts]

    def label_posts(self, rows: list[tuple[str | None, bool]]) -> list[Label]:
        return [classify_voice(text, bool(repost)) for text, repost in rows]


def evaluation_set() -> list[dict[str, str]]:
    text = resources.files("akimwatch.analysis").joinpath("data/voice_eval.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def evaluate() -> dict[str, Any]:
    """Accuracy of the rules on the labelled set (``not_personal`` = anything but ``personal`` is right)."""
    rows = evaluation_set()
    right = 0
    misses = []
    for row in rows:
        got = classify_voice(row["text"]).value
        ok = got == row["label"] or (row["label"] == "not_personal" and got != "personal")
        right += ok
        if not ok:
            misses.append({"id": row["id"], "expected": row["label"], "got": got})
    return {"n": len(rows), "correct": right, "accuracy": right / len(rows) if rows else None, "misses": misses}


def run_voice(engine) -> int:
    """Label every post that has no ``voice`` label of the current version; returns how many were labelled.

    Voice is a registered analyzer like the others; this is ``run_analysis`` limited to it (cheap, no models),
    for the commands that need voice before computing metrics.
    """
    from akimwatch.analysis.run import run_analysis

    return run_analysis(engine, progress=False, tier="fast", names=("voice",))["post"]["voice"]
