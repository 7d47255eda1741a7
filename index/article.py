"""The article record shared by loaders, the catalog and the read path."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Article:
    """One loaded article: body is the cleaned text every offset refers to."""

    source_key: str
    title: str
    body: str
    outlet: str | None = None
    url: str | None = None
    author: str | None = None
    published: date | None = None
    topic: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def article_id(self) -> str:
        """Stable id derived from the source key (a path or a URL)."""
        return article_id_for(self.source_key)

    @property
    def content_hash(self) -> str:
        """Hash of everything that ends up in the index for this article."""
        parts = [self.title, self.body, self.outlet or "", self.url or "", self.author or ""]
        parts += [self.published.isoformat() if self.published else "", self.topic or ""]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]

    @property
    def body_hash(self) -> str:
        """Hash of the body alone: two sources with the same body are exact duplicates."""
        return hashlib.sha256(self.body.encode()).hexdigest()[:32]


def article_id_for(source_key: str) -> str:
    """Return the stable article id of a source key."""
    return hashlib.sha1(source_key.encode()).hexdigest()[:16]
