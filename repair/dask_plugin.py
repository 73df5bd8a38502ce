"""The Dask worker plugin that loads repair's models once per worker.

Kept in its own module so that importing ``repair.engines`` does not import
``distributed``; the class is pickled by reference, so workers import it from
their own installed ``repair``.
"""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from .config import Config


class RepairWorkerPlugin(WorkerPlugin):
    """Warms ``Resources.for_config`` when a worker starts, and on workers that join later."""

    name = "repair-models"

    def __init__(self, config: Config) -> None:
        self.config = config

    def setup(self, worker: Any) -> None:
        from .engines import warm

        warm(self.config)
