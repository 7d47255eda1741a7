"""Re-indexing syncs a folder: unchanged skipped by hash, changed replaced (old chunks gone
from Chroma and FTS5), vanished removed, exact duplicates stored once; folders stay apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import ARTICLES, MakeAssistant, assert_consistent

from assistant import Assistant

pytestmark = pytest.mark.integration

OLD_NAME, NEW_NAME = "Marta Quill", "Nora Vance"


def small_corpus(root: Path) -> Path:
    """Three fixture articles in two topic folders."""
    for relative in ("business/harbour-bank.txt", "business/tin-mine.txt", "politics/council-vote.md"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ARTICLES / relative, root / relative)
    return root


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return small_corpus(tmp_path / "desk")


@pytest.fixture
def assistant(tmp_path: Path, make_assistant: MakeAssistant, corpus: Path) -> Assistant:
    assistant = make_assistant(tmp_path / "data")
    report = assistant.index([corpus])
    assert len(report.added) == 3
    return assistant


def chunk_texts(assistant: Assistant, article_id: str) -> dict[str, list[str]]:
    """The chunk texts of an article in Chroma and in FTS5."""
    store = assistant.store
    vectors = store.vectors.collection.get(where={"article_id": article_id}, include=["documents"])
    fts = store.catalog.db.execute("SELECT text FROM chunks_fts WHERE article_id = ?", (article_id,))
    return {"chroma": vectors["documents"], "fts": [row[0] for row in fts]}


def test_reindex_unchanged_embeds_nothing(assistant: Assistant, corpus: Path) -> None:
    before = assert_consistent(assistant.store)
    report = assistant.index([corpus])
    assert sorted(report.unchanged) == sorted(str(p) for p in corpus.rglob("*.*"))
    assert report.added == report.updated == report.removed == report.duplicates == []
    assert report.chunks_embedded == 0
    assert assert_consistent(assistant.store) == before


def test_modified_file_replaces_its_chunks(assistant: Assistant, corpus: Path) -> None:
    path = corpus / "business" / "harbour-bank.txt"
    old = assistant.article(str(path))
    old_texts = chunk_texts(assistant, old.article_id)
    assert any(OLD_NAME in t for t in old_texts["chroma"]) and any(OLD_NAME in t for t in old_texts["fts"])
    path.write_text(path.read_text().replace(OLD_NAME, NEW_NAME).replace("Ms Quill", "Ms Vance"))

    report = assistant.index([corpus])
    assert report.updated == [str(path)]
    assert report.added == report.removed == []
    assert len(report.unchanged) == 2
    assert 0 < report.chunks_embedded <= len(old_texts["chroma"])

    new = assistant.article(str(path))
    assert new.article_id == old.article_id and NEW_NAME in new.body and OLD_NAME not in new.body
    texts = chunk_texts(assistant, new.article_id)
    assert texts["chroma"] and sorted(texts["chroma"]) == sorted(texts["fts"])
    assert not any(OLD_NAME in t or "Quill" in t for t in texts["chroma"] + texts["fts"])
    assert assistant.store.catalog.keyword_search(["quill"], 10) == []  # the old words are gone from BM25
    assert_consistent(assistant.store)
    answer = assistant.ask("Who was appointed chief executive of the Harbour Bank of Port Elwin?")
    assert NEW_NAME in answer.text and OLD_NAME not in answer.text


def test_deleted_file_is_removed(assistant: Assistant, corpus: Path) -> None:
    path = corpus / "business" / "tin-mine.txt"
    article_id = assistant.article(str(path)).article_id
    path.unlink()
    report = assistant.index([corpus])
    assert report.removed == [str(path)]
    assert assistant.article(str(path)) is None
    assert chunk_texts(assistant, article_id) == {"chroma": [], "fts": []}
    assert assistant.stats().articles == 2
    assert_consistent(assistant.store)


def test_exact_duplicate_is_stored_once_and_outlives_its_original(assistant: Assistant, corpus: Path) -> None:
    original = corpus / "business" / "harbour-bank.txt"
    copy = corpus / "politics" / "bank-chief#2.txt"  # a "#" in a name is not a JSON record
    shutil.copy(original, copy)
    chunks_before = assistant.stats().chunks

    report = assistant.index([corpus])
    assert [(d.source, d.duplicate_of) for d in report.duplicates] == [(str(copy), str(original))]
    assert report.added == [] and report.chunks_embedded == 0
    stats = assistant.stats()
    assert (stats.articles, stats.aliases, stats.chunks) == (3, 1, chunks_before)
    assert assistant.article(str(copy)).source == str(original)  # an alias finds its article
    answer = assistant.ask("Who was appointed chief executive of the Harbour Bank of Port Elwin?")
    assert answer.citations[0].source == str(original)
    assert str(copy) in answer.citations[0].also_in

    again = assistant.index([corpus])  # nothing to do the second time
    assert len(again.unchanged) == 4 and again.duplicates == [] and again.chunks_embedded == 0

    original.unlink()
    report = assistant.index([corpus])
    assert str(original) in report.removed
    survivor = assistant.article(str(copy))
    assert survivor is not None and survivor.source == str(copy)
    assert assistant.stats().aliases == 0
    passages = assistant.search("Marta Quill Harbour Bank chief executive", k=3)
    assert passages[0].source == str(copy)
    assert_consistent(assistant.store)


def test_duplicates_within_one_run(tmp_path: Path, make_assistant: MakeAssistant) -> None:
    folder = tmp_path / "twins"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        shutil.copy(ARTICLES / "business" / "tin-mine.txt", folder / name)
    assistant = make_assistant(tmp_path / "data")
    report = assistant.index([folder])
    assert report.added == [str(folder / "a.txt")]
    assert [(d.source, d.duplicate_of) for d in report.duplicates] == [(str(folder / "b.txt"), str(folder / "a.txt"))]
    assert assistant.stats().articles == 1
    assert_consistent(assistant.store)


def test_indexing_folder_b_never_touches_folder_a(assistant: Assistant, corpus: Path, tmp_path: Path) -> None:
    folder_b = tmp_path / "desk-archive"  # shares a prefix with folder A's path
    (folder_b / "world").mkdir(parents=True)
    shutil.copy(ARTICLES / "world" / "wires.jsonl", folder_b / "world" / "wires.jsonl")
    (corpus / "business" / "tin-mine.txt").unlink()  # gone from A, but A is not re-indexed

    report = assistant.index([folder_b])
    assert report.removed == [] and report.unchanged == []
    assert sorted(report.added) == [f"{folder_b}/world/wires.jsonl#1", f"{folder_b}/world/wires.jsonl#3"]
    assert assistant.article(str(corpus / "business" / "tin-mine.txt")) is not None
    assert assistant.stats().articles == 5

    report = assistant.index([corpus])  # syncing A removes only A's vanished file
    assert report.removed == [str(corpus / "business" / "tin-mine.txt")]
    assert assistant.stats().articles == 4
    assert_consistent(assistant.store)


def test_a_single_file_is_synced_alone(assistant: Assistant, corpus: Path) -> None:
    path = corpus / "politics" / "council-vote.md"
    report = assistant.index(str(path))  # one path, not a list
    assert report.unchanged == [str(path)] and report.removed == []


def test_remove_by_source_id_and_folder(assistant: Assistant, corpus: Path) -> None:
    bank = str(corpus / "business" / "harbour-bank.txt")
    council_id = assistant.article(str(corpus / "politics" / "council-vote.md")).article_id

    assert assistant.remove(bank).removed == [bank]
    assert assistant.remove(council_id).removed == [str(corpus / "politics" / "council-vote.md")]
    missing = assistant.remove("/nowhere/at/all.txt")
    assert missing.removed == [] and missing.skipped[0].reason == "not in the index"
    assert assistant.remove(str(corpus / "business")).removed == [str(corpus / "business" / "tin-mine.txt")]
    assert assistant.stats().articles == 0
    assert assert_consistent(assistant.store)["vectors"] == set()


def test_remove_relative_paths_and_deleted_folders(assistant: Assistant, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(corpus)
    assert assistant.remove("politics/council-vote.md").removed == [str(corpus / "politics" / "council-vote.md")]
    shutil.rmtree(corpus / "business")
    removed = assistant.remove("business")  # the folder is gone, its articles are not yet
    assert sorted(removed.removed) == sorted(str(corpus / "business" / n) for n in ("harbour-bank.txt", "tin-mine.txt"))
    assert assistant.stats().articles == 0


def test_rebuild_in_a_running_process(assistant: Assistant, corpus: Path, make_assistant: MakeAssistant) -> None:
    chunks = assistant.stats().chunks
    report = assistant.index([corpus], rebuild=True)  # the same Assistant, its store open
    assert len(report.added) == 3 and assistant.stats().chunks == chunks
    assert_consistent(assistant.store)


def test_rebuild_with_new_chunk_settings(assistant: Assistant, corpus: Path, make_assistant: MakeAssistant) -> None:
    from index import ChunkConfig

    chunks = assistant.stats().chunks
    rebuilt = make_assistant(assistant.store.data_dir, chunking=ChunkConfig(max_tokens=64))
    report = rebuilt.index([corpus], rebuild=True)
    assert len(report.added) == 3
    assert rebuilt.stats().chunks > chunks
    assert_consistent(rebuilt.store)
    answer = rebuilt.ask("In what year did the Kessel tin mine produce its record output?")
    assert "1974" in answer.text
