"""Give the heap memory an index run freed back to the operating system."""

from __future__ import annotations

import ctypes


def release_free_memory() -> bool:
    """Ask the C library to return freed heap pages (glibc's malloc_trim). An index run frees
    the batches it embedded, but glibc keeps those pages for reuse: ~90 MiB a server would
    hold for nothing after indexing the BBC corpus. False where the C library has no
    malloc_trim (macOS, musl): nothing is done there."""
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the process's own symbols, the C library's among them
    except (OSError, AttributeError):
        return False
    trim(0)
    return True
