"""The inbox: citizen requests from labelled comments, their workflow (statuses, duplicates, service levels),
their tables (tables.py) and reads and writes (workflow.py). A feature on the store, not part of it."""
