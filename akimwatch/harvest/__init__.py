"""Live collection: polite, resumable harvesting of watched accounts through the platforms' APIs.

Collectors (one module per platform) only fetch and page; their responses go through the same
``map_*`` functions as the matching export importer; the runner saves each page and advances the
account's cursor in one transaction, so a crash or Ctrl-C never leaves gaps or duplicates.
"""
