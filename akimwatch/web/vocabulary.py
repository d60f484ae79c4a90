"""Codes stored in the data that the templates show translated (``{{ _(r.status) }}``, ``{{ _(t) }}`` …).

The extractor (``python -m akimwatch.catalogs``) only sees literal message ids, so every code a template passes
to ``_`` through a variable is marked here. tests/web/test_catalogs.py checks that each tuple below equals the
constant it mirrors, so a new status, topic or role cannot reach a page untranslated.
"""

from __future__ import annotations

from akimwatch.i18n import N_

# akimwatch.inbox.workflow.STATUSES (inbox filter, request status, audit log before/after)
REQUEST_STATUSES = (N_("new"), N_("in_progress"), N_("answered"), N_("resolved"), N_("closed"), N_("rejected"))
# akimwatch.models.COMMENT_TYPES (comment labels); covers web_inbox.REQUEST_KINDS
COMMENT_TYPES = (N_("gratitude"), N_("complaint"), N_("request"), N_("question"), N_("other"))
# akimwatch.models.TOPICS (topic filters, chips, charts)
TOPICS = (
    N_("roads_traffic"), N_("public_transport"), N_("utilities"), N_("gas"), N_("greening_parks"),
    N_("waste_sanitation"), N_("environment"), N_("housing_construction"), N_("animals_zoo"),
    N_("prices_tariffs"), N_("social_support"), N_("healthcare"), N_("education"), N_("employment_economy"),
    N_("public_safety"), N_("culture_sport_leisure"), N_("governance"), N_("none"),
)
# akimwatch.models.UNCERTAIN: a label the accurate tier abstained on, listed apart from topics and types
LABEL_STATES = (N_("uncertain"),)
# akimwatch.web.auth.users.ROLES (admin page, header)
USER_ROLES = (N_("viewer"), N_("editor"), N_("admin"))
# akimwatch.registry.POSITIONS (overview ranking, official page)
POSITIONS = (N_("akim_city"), N_("akim_region"), N_("akim_district"), N_("other"))
# akimwatch.models.ACCOUNT_ROLES and MEDIA_KINDS (official page)
ACCOUNT_ROLES = (N_("personal"), N_("press_service"), N_("official_page"))
MEDIA_KINDS = (N_("photo"), N_("video"), N_("long_video"), N_("album"), N_("text"))
# akimwatch.metrics.activity.STATUS_ORDER and the ranking's rank_state (official page chip)
ACTIVITY_STATUSES = (N_("active"), N_("irregular"), N_("thin_coverage"), N_("dormant"), N_("inactive"),
                     N_("tagged_only"), N_("none"))
RANK_STATES = (N_("not_enough_data"),)
# Error details a page can show (error.html translates them; the JSON API keeps them in English)
ERROR_DETAILS = (N_("no such official"), N_("no such request"), N_("sign in first"), N_("the editor role is needed"),
                 N_("missing or wrong CSRF token; reload the page and try again"), N_("report formats: html, pdf"),
                 N_("sign in or send an API key: this instance is private"))
# Coverage streams (akimwatch.metrics.coverage.stream_of), shown on the official page
COVERAGE_STREAMS = (N_("export"), N_("preview"), N_("harvest"))
# Audit-log actions written by akimwatch.inbox.workflow (request page)
AUDIT_ACTIONS = (N_("created"), N_("status"), N_("department"), N_("notes"), N_("due"))
