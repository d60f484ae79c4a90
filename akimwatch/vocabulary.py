"""Names of the codes stored in the data, one vocabulary for every output (web pages, reports, CLI).

A topic is called the same on the dashboard and in the report: both translate ``TOPIC_NAMES[code]`` through the
one set of catalogs (``akimwatch/locale``). The codes themselves are ``akimwatch.models.TOPICS``.
"""

from __future__ import annotations

from collections.abc import Callable

from akimwatch.i18n import N_

TOPIC_NAMES = {
    "roads_traffic": N_("roads and traffic"), "public_transport": N_("public transport"), "utilities": N_("utilities"),
    "gas": N_("gas supply"), "greening_parks": N_("parks and greening"), "waste_sanitation": N_("waste and cleanliness"),
    "environment": N_("environment"), "housing_construction": N_("housing and construction"),
    "animals_zoo": N_("animals and the zoo"), "prices_tariffs": N_("prices and tariffs"),
    "social_support": N_("social support"), "healthcare": N_("healthcare"), "education": N_("education"),
    "employment_economy": N_("jobs and economy"), "public_safety": N_("public safety"),
    "culture_sport_leisure": N_("culture, sport and leisure"), "governance": N_("governance and e-services"),
    "none": N_("no municipal topic"), "not labelled": N_("not labelled"), "uncertain": N_("uncertain"),
}


def code_name(gettext: Callable[[str], str], code: str | None) -> str:
    """The translated name of a stored code: a topic by ``TOPIC_NAMES``, any other code (status, comment type,
    role) by its own catalog entry."""
    if code is None:
        return "—"
    return gettext(TOPIC_NAMES.get(code, code))
