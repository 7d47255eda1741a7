"""Both answering modes behind one interface (assistant/answerers/base.py): extractive (the
default, no language model) here, and LLM mode in assistant/generative/chain.py."""

from assistant.answerers.base import Answerer, Retrieved
from assistant.answerers.extractive import ExtractiveAnswerer

__all__ = ["Answerer", "ExtractiveAnswerer", "Retrieved"]
