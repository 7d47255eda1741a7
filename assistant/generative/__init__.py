"""Generative answers: LangChain chat models write the answer, the citation check verifies it."""

from assistant.generative.backends import BACKENDS, chat_model, describe_error, parse_backend
from assistant.generative.check import CheckResult, check_reply

__all__ = ["BACKENDS", "CheckResult", "chat_model", "check_reply", "describe_error", "parse_backend"]
