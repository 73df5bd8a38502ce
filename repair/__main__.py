"""``python -m repair`` is the ``repair`` command."""

from .cli import run

run()
