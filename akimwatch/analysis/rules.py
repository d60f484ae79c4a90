"""Guide rules the heads cannot learn from the data they have (docs/methodology.md «Comment type»).

Why rules: the annotated set has few polite Kazakh requests, so both tiers read «…жөндеуіңізді сұраймыз» (we ask
you to repair …) and «өтінемін» (I beg) as gratitude — they co-occur with «рахмет» and «құрметті»; and an
agreement such as «Дұрыс айтасыз» (you are right) came out as a complaint. The guide decides these: an explicit
ask is ``request`` whatever else the comment says; agreeing with someone is not a complaint.

Patterns run on folded text (text.fold: Kazakh letters mapped to Russian look-alikes, lower case), so Kazakh typed
with Russian letters matches too. Changing them changes ``TYPE_RULES_VERSION`` (part of the type label's version).
"""

from __future__ import annotations

import re

from akimwatch.analysis.base import Label
from akimwatch.analysis.text import fold

TYPE_RULES_VERSION = "t1"

_B = r"(?<![а-яёa-z])"
# folded forms: сұраймыз→сураймыз, өтінемін→отинемин, -ңыздаршы→-ныздаршы, -ңіздерші→-низдерши
KK_ASK = re.compile(
    _B + r"(сурай(?:мыз|мын|мин|миз)|отин(?:емин|емиз|иш|ишим)|суранам|етуинизди|"
    r"[а-я]{2,}(?:ныздаршы|низдерши|нызшы|низши|ынызды сурай|инизди сурай)|"
    r"[а-я]{3,}(?:ныздар|низдер)(?![а-я]))",
)
AGREE = re.compile(
    _B + r"(дурыс айт(?:асыз|асын|тыныз|ты)|дурыс айтасыздар|толык келисемин|келисемин|"
    r"правильно (?:говорите|сказали|сказано)|верно сказано|полностью согласн|согласен с вами|согласна с вами)"
)


def apply_type_rules(cleaned: list[str], labels: list[Label]) -> list[Label]:
    """Explicit Kazakh asks become ``request``; agreement is never a ``complaint`` (it becomes ``other``)."""
    out = []
    for text, lab in zip(cleaned, labels, strict=True):
        f = fold(text)
        if lab.value != "request" and KK_ASK.search(f):
            lab = Label("request", max(lab.confidence, 0.6), {"rule": "kk_ask", "model": lab.value})
        elif lab.value == "complaint" and AGREE.search(f) and len(f) < 80:
            lab = Label("other", max(lab.confidence, 0.6), {"rule": "agreement", "model": lab.value})
        out.append(lab)
    return out
