"""Numbers over many items per account, official and period; ``compute_metrics`` is the entry point."""

from akimwatch.metrics.compute import compute_metrics, parse_period

__all__ = ["compute_metrics", "parse_period"]
