"""repair: restore text damaged by synonym spinning.

>>> import repair
>>> repair.clean_text("An irregular woodland beats counterfeit consciousness.").text
'A random forest beats artificial intelligence.'
"""

from __future__ import annotations

from .apply import apply_edits
from .config import Config, load_config
from .model import Candidate, Document, Edit, Finding, Span
from .pipeline import Pipeline, Result, clean_text, explain

__version__ = "0.1.0"

__all__ = [
    "Candidate",
    "Config",
    "Document",
    "Edit",
    "Finding",
    "Pipeline",
    "Result",
    "Span",
    "__version__",
    "apply_edits",
    "clean_text",
    "explain",
    "load_config",
]
