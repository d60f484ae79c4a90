"""Live collection: polite, resumable harvesting of watched accounts through the platforms' APIs.

Collectors (one module per platform) only fetch and page; their responses go through the same
``map_*`` functions as the matching export importer; the runner saves each page and advances the
account's cursor in one transaction, so a crash or Ctrl-C never leaves gaps or duplicates.

Modules: ``http`` (polite client), ``walk`` (the shared resumable newest-first walk), ``collectors``
(registry), one collector per platform (``telegram_preview``, ``telegram_telethon``, ``instagram_graph``,
``facebook``, ``x``, ``vk``, ``youtube``), ``runner`` (pages → store), ``schedule`` (harvest → analysis →
alerts), ``alerts``, ``config`` (credentials, rate policies). docs/collectors.md describes each platform.
"""
