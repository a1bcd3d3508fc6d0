"""Runners: where the per-article stages run. ``local`` (default, in-process) or ``ray``.

Importing this package is cheap: Ray is imported only when a Ray runner starts.
"""
from __future__ import annotations

from ..config import Settings
from ..errors import NewsweaveError
from .base import BatchWorker, LinkingEnricher, Processed, Runner
from .local import InlineBatchRunner, LocalRunner

RUNNERS = ("local", "ray")

__all__ = ["RUNNERS", "BatchWorker", "InlineBatchRunner", "LinkingEnricher", "LocalRunner",
           "Processed", "Runner", "make_runner"]


def make_runner(settings: Settings) -> Runner:
    """The runner the settings name (``runner``, ``ray_address``, ``workers``)."""
    name = (settings.runner or "local").strip().lower()
    if name == "local":
        return LocalRunner()
    if name == "ray":
        from .ray import RayRunner

        return RayRunner(address=settings.ray_address, workers=settings.workers)
    raise NewsweaveError(f"unknown runner {settings.runner!r} (choose one of: {', '.join(RUNNERS)})")
