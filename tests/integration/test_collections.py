"""Each index has its own Chroma collection (issue 8): two data dirs on one `chroma run` never
touch each other's vectors, a shared collection is a deliberate setting, chunks and vectors
are checked to agree, lost vectors are re-embedded, and indexes of Newsdesk 0.1 keep working."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import chromadb
import pytest
from support import (
    ChromaServer,
    MakeAssistant,
    assert_consistent,
    copy_articles,
    write_generated_corpus,
)

from index import IndexMismatchError
from index.vectorstore import legacy_collection_name

pytestmark = [pytest.mark.integration, pytest.mark.server, pytest.mark.slow]

QUESTION = "Who was appointed chief executive of the Harbour Bank of Port Elwin?"


def client(server: ChromaServer) -> chromadb.ClientAPI:
    return chromadb.HttpClient(host="127.0.0.1", port=server.port)


def test_rebuild_of_one_data_dir_leaves_the_other_alone(tmp_path: Path, make_assistant: MakeAssistant, chroma_server: ChromaServer) -> None:
    a = make_assistant(tmp_path / "a", chroma_url=chroma_server.url)
    a.index([copy_articles(tmp_path / "articles")])
    b = make_assistant(tmp_path / "b", chroma_url=chroma_server.url)
    b.index([write_generated_corpus(tmp_path / "wire", range(5))[0].parent])
    assert a.store.vectors.name != b.store.vectors.name
    assert a.store.vectors.name == f"newsdesk_{a.store.index_id}_" + legacy_collection_name(
        a.store.embedder.model_key, 200, 1).removeprefix("newsdesk_")
    vectors_a = a.stats().vectors

    b.index([tmp_path / "wire"], rebuild=True)
    assert a.stats().vectors == vectors_a and a.stats().warning is None
    assert_consistent(a.store)
    assert "Marta Quill" in a.ask(QUESTION).text
    names = {c.name for c in client(chroma_server).list_collections()}
    assert a.store.vectors.name in names and b.store.vectors.name in names


def test_a_shared_collection_is_deliberate_and_rebuild_takes_only_its_own(tmp_path: Path, make_assistant: MakeAssistant, chroma_server: ChromaServer) -> None:
    shared = "newsroom-shared"
    a = make_assistant(tmp_path / "a", chroma_url=chroma_server.url, chroma_collection=shared)
    a.index([copy_articles(tmp_path / "articles")])
    b = make_assistant(tmp_path / "b", chroma_url=chroma_server.url, chroma_collection=shared)
    b.index([write_generated_corpus(tmp_path / "wire", range(5))[0].parent])
    assert a.store.vectors.name == b.store.vectors.name == shared
    chunks_a, chunks_b = a.stats().chunks, b.stats().chunks
    assert a.stats().vectors == chunks_a + chunks_b  # one collection holds both

    b.index([tmp_path / "wire"], rebuild=True)  # b's vectors go, then come back; a's stay
    assert client(chroma_server).get_collection(shared).count() == chunks_a + chunks_b
    assert_consistent_vectors(a)
    (tmp_path / "wire").rename(tmp_path / "gone")
    b.index([tmp_path / "nothing"], rebuild=True)
    assert client(chroma_server).get_collection(shared).count() == chunks_a
    assert "Marta Quill" in a.ask(QUESTION).text

    with pytest.raises(IndexMismatchError, match="keeps its vectors in the Chroma collection 'newsroom-shared'"):
        make_assistant(tmp_path / "a", chroma_url=chroma_server.url, chroma_collection="another-one").stats()


def assert_consistent_vectors(assistant: object) -> None:
    stats = assistant.stats()  # type: ignore[attr-defined]
    assert stats.vectors_missing == 0 and stats.warning is None


def test_lost_vectors_are_reported_and_re_embedded(tmp_path: Path, make_assistant: MakeAssistant, chroma_server: ChromaServer) -> None:
    assistant = make_assistant(tmp_path / "data", chroma_url=chroma_server.url)
    corpus = copy_articles(tmp_path / "articles")
    assistant.index([corpus])
    before = assert_consistent(assistant.store)
    lost = sorted(before["vectors"])[:4]
    assistant.store.vectors.collection.delete(ids=lost)  # e.g. another tool deleted them

    stats = assistant.stats()
    assert (stats.vectors_missing, stats.vectors) == (4, stats.chunks - 4)
    assert stats.warning == f"4 of {stats.chunks} chunks have no vector (the collection lost them); the next `newsdesk index` run re-embeds them"
    report = assistant.index([corpus])  # nothing changed on disk: only the lost vectors are redone
    assert report.vectors_restored == 4 and report.added == report.updated == []
    assert report.summary().endswith("; re-embedded 4 chunks whose vectors were missing")
    assert assert_consistent(assistant.store) == before and assistant.stats().warning is None


def downgrade_to_0_1(data_dir: Path, chroma: chromadb.ClientAPI | None = None) -> str:
    """Turn a data dir into what Newsdesk 0.1 left: its catalog schema (no schema_version,
    no bucket table or counter, meta {'schema': '1', model, chunk settings}) and its
    vectors in the collection named from the settings alone. Returns that name."""
    db = sqlite3.connect(data_dir / "catalog.sqlite")
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    for statement in ("DROP TRIGGER chunks_counted_in", "DROP TRIGGER chunks_counted_out", "DROP TABLE counters",
                      "DROP TABLE lsh_buckets", "DROP INDEX articles_published",
                      "DELETE FROM meta WHERE key NOT IN ('model', 'chunk_max_tokens', 'chunk_overlap_sentences')",
                      "INSERT INTO meta VALUES ('schema', '1')",
                      # 0.1's chunks (no row number) and keyword rows numbered on their own (here
                      # backwards, so that no keyword row has its chunk's number by chance)
                      'CREATE TABLE chunks_0 (id TEXT PRIMARY KEY, article_id TEXT NOT NULL, ordinal INTEGER NOT NULL, '
                      'start INTEGER NOT NULL, "end" INTEGER NOT NULL)',
                      'INSERT INTO chunks_0 SELECT id, article_id, ordinal, start, "end" FROM chunks',
                      "DROP TABLE chunks", "ALTER TABLE chunks_0 RENAME TO chunks",
                      "CREATE INDEX chunks_article ON chunks(article_id)",
                      "CREATE TABLE fts_0 AS SELECT text, title, chunk_id, article_id FROM chunks_fts",
                      "DROP TABLE chunks_vocab", "DELETE FROM chunks_fts",
                      "INSERT INTO chunks_fts (text, title, chunk_id, article_id) SELECT * FROM fts_0 ORDER BY chunk_id DESC",
                      "DROP TABLE fts_0", "CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab(chunks_fts, 'row')",
                      "ALTER TABLE articles DROP COLUMN file_stamp", "ALTER TABLE aliases DROP COLUMN file_stamp"):
        db.execute(statement)
    db.commit()
    db.close()
    name = legacy_collection_name(meta["model"], int(meta["chunk_max_tokens"]), int(meta["chunk_overlap_sentences"]))
    chroma = chroma or chromadb.PersistentClient(path=str(data_dir / "chroma"))
    chroma.get_collection(meta["collection"]).modify(name=name)
    return name


def test_a_0_1_data_dir_is_migrated_and_keeps_its_collection(tmp_path: Path, make_assistant: MakeAssistant) -> None:
    corpus = copy_articles(tmp_path / "articles")
    data_dir = tmp_path / "data"
    first = make_assistant(data_dir)
    first.index([corpus])
    expected = assert_consistent(first.store)
    first.store.catalog.close()
    name = downgrade_to_0_1(data_dir)

    assistant = make_assistant(data_dir)
    assert assistant.store.vectors.name == name  # adopted, recorded in meta
    meta = assistant.store.catalog.get_meta()
    assert (meta["collection"], meta["collection_owned"], meta["schema_version"]) == (name, "1", "3")
    assert assistant.store.catalog.chunk_count() == len(expected["chunks"])
    db = assistant.store.catalog.db  # every keyword row now has its chunk row's number
    assert db.execute("SELECT COUNT(*) FROM chunks_fts f JOIN chunks c ON c.num = f.rowid AND c.id = f.chunk_id").fetchone()[0] == len(expected["chunks"])
    assert "Marta Quill" in assistant.ask(QUESTION).text
    report = assistant.index([corpus])
    assert report.chunks_embedded == 0 and report.added == [] and assert_consistent(assistant.store) == expected
    # the near-duplicate buckets were built once from the stored signatures
    copy = corpus / "business" / "harbour-bank-copy.txt"
    copy.write_text((corpus / "business" / "harbour-bank.txt").read_text().replace("Marta Quill", "M. Quill"))
    assert [d.duplicate_of for d in assistant.index([corpus]).duplicates] == [str(corpus / "business" / "harbour-bank.txt")]


def test_a_0_1_index_on_a_server_is_treated_as_shared(tmp_path: Path, make_assistant: MakeAssistant, chroma_server: ChromaServer) -> None:
    corpus = copy_articles(tmp_path / "articles")
    data_dir = tmp_path / "data"
    first = make_assistant(data_dir, chroma_url=chroma_server.url)
    first.index([corpus])
    first.store.catalog.close()
    name = downgrade_to_0_1(data_dir, client(chroma_server))
    neighbour = client(chroma_server).get_collection(name)
    neighbour.add(ids=["other-dir:0"], embeddings=[[0.1] * 384], documents=["another data dir's chunk"])

    assistant = make_assistant(data_dir, chroma_url=chroma_server.url)
    assert assistant.store.vectors.name == name and assistant.store.shared_collection
    assert "Marta Quill" in assistant.ask(QUESTION).text
    assistant.index([corpus], rebuild=True)  # only its own vectors leave the old shared collection
    assert client(chroma_server).get_collection(name).get(include=[])["ids"] == ["other-dir:0"]
    assert assistant.store.vectors.name != name and not assistant.store.shared_collection
    assert_consistent(assistant.store)
    shutil.rmtree(data_dir)
