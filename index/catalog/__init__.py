"""The catalog: one interface (`Catalog`), a SQLite and a PostgreSQL implementation.

`open_catalog(None, data_dir)` opens `<data dir>/catalog.sqlite` (the embedded default);
`open_catalog("postgresql://...", data_dir)` opens the shared PostgreSQL catalog.
"""

from __future__ import annotations

from pathlib import Path

from index.catalog.base import (
    ArticleRow,
    Catalog,
    CatalogTotals,
    ChunkRow,
    FeedStatus,
    Filters,
    NearDuplicate,
)
from index.catalog.sqlite import SQLiteCatalog
from index.errors import CatalogUnavailableError

CATALOG_FILE = "catalog.sqlite"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(url: str | None) -> bool:
    """Whether a catalog URL names a PostgreSQL database."""
    return bool(url) and str(url).lower().startswith(POSTGRES_SCHEMES)


def open_catalog(url: str | None, data_dir: Path) -> Catalog:
    """The PostgreSQL catalog at url, or (url None) the SQLite catalog of data_dir."""
    if url:
        if not is_postgres_url(url):
            raise CatalogUnavailableError(
                f"catalog URL {url.split('://')[0]}://... is not supported: use postgresql://user:password@host:port/database"
            )
        try:
            from index.catalog.postgres import PostgresCatalog  # psycopg loads only when used
        except ImportError as error:
            raise CatalogUnavailableError(
                f"a PostgreSQL catalog needs psycopg ({error.name} is missing): "
                "pip install 'newsdesk[postgres]' (scripts/setup.sh installs it)"
            ) from error
        return PostgresCatalog(url)
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    return SQLiteCatalog(Path(data_dir) / CATALOG_FILE)


__all__ = [
    "CATALOG_FILE",
    "ArticleRow",
    "Catalog",
    "CatalogTotals",
    "ChunkRow",
    "FeedStatus",
    "Filters",
    "NearDuplicate",
    "SQLiteCatalog",
    "is_postgres_url",
    "open_catalog",
]
