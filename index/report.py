"""What one indexing run did."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Skipped(BaseModel):
    """An input that was not indexed, with the reason."""

    source: str
    reason: str


class Duplicate(BaseModel):
    """A source whose body is identical (or nearly) to an already indexed article."""

    source: str
    duplicate_of: str
    similarity: float = Field(1.0, description="1.0: the same body; below: a near-duplicate story")


class IndexReport(BaseModel):
    """Sources added, updated, removed, unchanged, found duplicate or skipped in one run."""

    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    duplicates: list[Duplicate] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)
    chunks_embedded: int = 0
    vectors_restored: int = Field(0, description="chunks whose lost vectors this run re-embedded")
    seconds: float = 0.0

    def summary(self) -> str:
        """One line with the counts, e.g. 'added 3, updated 0, ...'."""
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, removed {len(self.removed)}, "
            f"unchanged {len(self.unchanged)}, duplicates {len(self.duplicates)}, "
            f"skipped {len(self.skipped)} ({self.chunks_embedded} chunks embedded "
            f"in {self.seconds:.1f}s)"
            + (f"; re-embedded {self.vectors_restored} chunks whose vectors were missing" if self.vectors_restored else "")
        )

    def merge(self, other: IndexReport) -> None:
        """Add another report's entries to this one."""
        for name in ("added", "updated", "removed", "unchanged", "duplicates", "skipped"):
            getattr(self, name).extend(getattr(other, name))
        self.chunks_embedded += other.chunks_embedded
        self.vectors_restored += other.vectors_restored
        self.seconds += other.seconds
