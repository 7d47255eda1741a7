"""Freed heap memory goes back to the operating system after an index run, where libc can."""

from __future__ import annotations

import ctypes
import sys

import pytest

from index.memory import release_free_memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim is Linux-only")
def test_glibc_returns_freed_memory() -> None:
    assert release_free_memory() is True


def test_a_libc_without_malloc_trim_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoTrim:
        def __init__(self, name: str | None) -> None:
            self.name = name

    monkeypatch.setattr(ctypes, "CDLL", NoTrim)
    assert release_free_memory() is False


def test_no_c_library_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str | None) -> None:
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", missing)
    assert release_free_memory() is False
