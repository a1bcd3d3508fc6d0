"""Typed errors: library code raises these; only the CLI and the API turn them into messages."""
from __future__ import annotations


class NewsweaveError(Exception):
    """Base of every error Newsweave raises on purpose."""


class InputError(NewsweaveError):
    """An input (file, URL, feed, record) could not be read; names the input and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class StageError(NewsweaveError):
    """A pipeline stage failed on one item."""

    def __init__(self, stage: str, item: str, reason: str) -> None:
        self.stage = stage
        self.item = item
        self.reason = reason
        super().__init__(f"{item}: {stage} failed: {reason}")


class StoreError(NewsweaveError):
    """The store could not be opened, read or written."""


class MissingDependency(NewsweaveError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __init__(self, module: str, extra: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(
            f"{module} is not installed: pip install 'newsweave[{extra}]'"
        )
