"""Imported once by the process pool's fork server, before any worker is forked.

It compiles the default lexicons in the fork server, so every worker forked
from it starts with them already loaded (and shares their memory pages until
it writes to them) instead of compiling its own copy. Only pure-Python data is
loaded here: forking a process that runs native thread pools (a torch model)
is not safe, so models that need them still load in each worker.
"""

from __future__ import annotations

from .config import Config
from .resources import Resources

Resources.for_config(Config()).lexicon.context_terms()
