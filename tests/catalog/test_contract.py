"""One contract for every catalog: the same tests run against SQLite and a real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from index.article import Article
from index.catalog import Catalog, Filters, NearDuplicate, SQLiteCatalog
from index.chunking import Chunk
from index.config import NearDuplicateConfig
from index.errors import IndexBusyError
from index.neardup import NearDuplicates


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Catalog]:
    """An empty catalog of each implementation."""
    if request.param == "sqlite":
        opened: Catalog = SQLiteCatalog(tmp_path / "catalog.sqlite")
    else:
        from index.catalog.postgres import PostgresCatalog

        opened = PostgresCatalog(request.getfixturevalue("pg_url"))
    yield opened
    opened.close()


def reopen(catalog: Catalog) -> Catalog:
    """A second catalog object on the same storage (as another process would open it)."""
    if isinstance(catalog, SQLiteCatalog):
        return SQLiteCatalog(catalog.path)
    from index.catalog.postgres import PostgresCatalog

    return PostgresCatalog(catalog.url)  # type: ignore[attr-defined]


HARBOUR = Article(
    source_key="/news/business/harbour.txt", title="Harbour Bank names a chief",
    body="The Harbour Bank of Port Elwin appointed Marta Quill as chief executive. "
         "Ms Quill said the banks of the coast would lend more to fishing fleets.",
    outlet="Coastal Wire", published=date(2024, 3, 2), topic="business", author="A. Reed",
)
ROWING = Article(
    source_key="/news/sport/rowing_cup%.txt", title="Rowing cup final",
    body="Varnmouth won the rowing cup final by two lengths on Saturday. The crew trained for a year.",
    outlet="Sport Daily", published=date(2022, 6, 5), topic="sport",
)
COMET = Article(source_key="https://example.test/comet", title="A comet returns",
                body="Astronomers saw the comet return after seventy years.", topic="science")


def chunks_of(article: Article) -> list[Chunk]:
    """One chunk per sentence."""
    found, start = [], 0
    for number, sentence in enumerate(article.body.split(". ")):
        begin = article.body.index(sentence, start)
        found.append(Chunk(article.article_id, number, begin, begin + len(sentence), sentence))
        start = begin + len(sentence)
    return found


def write(catalog: Catalog, *articles: Article) -> None:
    """The indexer's write order: pending marks, chunks, then the article rows."""
    catalog.begin_articles([a.article_id for a in articles])
    catalog.add_chunks([c for a in articles for c in chunks_of(a)], {a.article_id: a.title for a in articles})
    catalog.finish_articles(articles)


def notes(prefix: str, count: int, body: str, topic: str = "sport") -> list[Article]:
    """count one-chunk articles (titles without the keyword tests' words)."""
    return [Article(source_key=f"/{prefix}/{n}", title=f"Note {n}", body=body, topic=topic,
                    published=date(2024, 1, 1)) for n in range(count)]


def write_ferries_and_harbours(catalog: Catalog) -> None:
    """20 chunks with 'ferry', 10 with 'harbour', then 3 with both, then 1 with 'zeppelin'
    and 'harbour' (topic travel): for the keyword searches' budgets."""
    write(catalog, *notes("f", 20, "The ferry left on time."))
    write(catalog, *notes("h", 10, "The harbour stayed calm all week."))
    write(catalog, *notes("b", 3, "A ferry in the harbour."))
    write(catalog, *notes("z", 1, "A zeppelin over the harbour.", topic="travel"))


def test_schema_version_and_meta(catalog: Catalog) -> None:
    assert catalog.get_meta() == {"schema_version": catalog.get_meta()["schema_version"]}
    assert int(catalog.get_meta()["schema_version"]) >= 1
    catalog.set_meta({"model": "m1", "index_id": "abc"})
    catalog.set_meta({"model": "m2"})
    other = reopen(catalog)
    assert {k: v for k, v in other.get_meta().items() if k != "schema_version"} == {"model": "m2", "index_id": "abc"}
    other.close()


def test_articles_lookups_and_counts(catalog: Catalog) -> None:
    assert not catalog.has_articles() and catalog.latest_published() is None
    write(catalog, HARBOUR, ROWING, COMET)
    assert catalog.has_articles()
    assert catalog.source_state(HARBOUR.source_key) == ("article", HARBOUR.content_hash, HARBOUR.article_id)
    assert catalog.source_state("/nowhere") is None
    assert catalog.article_with_body(ROWING.body_hash) == (ROWING.article_id, ROWING.source_key)
    row = catalog.get_article(HARBOUR.article_id)
    assert row is not None and row == catalog.get_article(HARBOUR.source_key)
    assert (row.title, row.outlet, row.author, row.published, row.topic, row.url) == (
        HARBOUR.title, "Coastal Wire", "A. Reed", date(2024, 3, 2), "business", None)
    assert row.body == HARBOUR.body and row.content_hash == HARBOUR.content_hash
    assert set(catalog.get_articles([COMET.article_id, "missing", COMET.article_id])) == {COMET.article_id}
    assert catalog.latest_published() == date(2024, 3, 2)
    counts = catalog.counts()
    assert counts == {
        "articles": 3, "aliases": 0, "chunks": 5,
        "by_outlet": {"(none)": 1, "Coastal Wire": 1, "Sport Daily": 1},
        "by_topic": {"business": 1, "science": 1, "sport": 1},
        "first_published": "2022-06-05", "last_published": "2024-03-02",
    }
    assert len(catalog.list_articles()) == 3 and len(catalog.list_articles(limit=2)) == 2
    assert catalog.totals().articles == 3 and catalog.totals().pending == 0


def test_sources_under_is_a_literal_case_sensitive_prefix(catalog: Catalog) -> None:
    write(catalog, HARBOUR, ROWING, COMET)
    catalog.add_alias("/news/sport/copy.txt", ROWING.article_id, "h")
    assert sorted(catalog.sources_under("/news/")) == [
        ("alias", "/news/sport/copy.txt"), ("article", HARBOUR.source_key), ("article", ROWING.source_key)]
    assert catalog.sources_under("/news/sport/rowing_cup%") == [("article", ROWING.source_key)]
    assert catalog.sources_under("/news/sport/rowing_c_p") == []  # '_' is no wildcard
    assert catalog.sources_under("/NEWS/") == []


def test_file_stamps_of_a_folder(catalog: Catalog) -> None:
    write(catalog, HARBOUR, ROWING, COMET)
    catalog.add_alias("/news/sport/copy.txt", ROWING.article_id, "h")
    news = {HARBOUR.source_key: None, ROWING.source_key: None, "/news/sport/copy.txt": None}
    assert catalog.file_stamps("/news/") == news  # nothing stamped yet
    catalog.set_file_stamps([(HARBOUR.source_key, "10:1:1:r"), ("/news/sport/copy.txt", "20:2:2:r"), ("/gone.txt", "1:1:1:r")])
    news.update({HARBOUR.source_key: "10:1:1:r", "/news/sport/copy.txt": "20:2:2:r"})
    assert catalog.file_stamps("/news/") == news
    other = reopen(catalog)
    assert other.file_stamps("/news/") == news
    other.close()
    # a literal, case-sensitive prefix
    assert catalog.file_stamps("/news/sport/rowing_cup%") == {ROWING.source_key: None}
    assert catalog.file_stamps("/news/sport/rowing_c_p") == {} and catalog.file_stamps("/NEWS/") == {}
    assert catalog.file_stamps(COMET.source_key) == {COMET.source_key: None}
    # rewriting a row clears its stamp: the file is read again until the indexer stamps it anew
    write(catalog, HARBOUR)
    catalog.add_alias("/news/sport/copy.txt", ROWING.article_id, "h2")
    assert catalog.file_stamps("/news/") == {HARBOUR.source_key: None, ROWING.source_key: None, "/news/sport/copy.txt": None}
    catalog.set_file_stamps([(HARBOUR.source_key, "10:1:1:r"), (ROWING.source_key, "30:3:3:r")])
    catalog.invalidate([HARBOUR.article_id])  # a killed run's article: read again
    assert catalog.file_stamps("/news/") == {HARBOUR.source_key: None, ROWING.source_key: "30:3:3:r", "/news/sport/copy.txt": None}
    catalog.remove_articles([ROWING.article_id])
    assert catalog.file_stamps("/news/sport/") == {}


def test_aliases(catalog: Catalog) -> None:
    write(catalog, HARBOUR)
    catalog.add_alias("/b/copy.txt", HARBOUR.article_id, "h1")
    catalog.add_alias("/a/copy.txt", HARBOUR.article_id, "h2")
    assert catalog.aliases_of(HARBOUR.article_id) == ["/a/copy.txt", "/b/copy.txt"]
    assert catalog.source_state("/a/copy.txt") == ("alias", "h2", HARBOUR.article_id)
    row = catalog.get_article("/b/copy.txt")
    assert row is not None and row.id == HARBOUR.article_id and row.aliases == ("/a/copy.txt", "/b/copy.txt")
    assert catalog.get_articles([HARBOUR.article_id])[HARBOUR.article_id].aliases == ("/a/copy.txt", "/b/copy.txt")
    catalog.remove_alias("/a/copy.txt")
    assert catalog.aliases_of(HARBOUR.article_id) == ["/b/copy.txt"] and catalog.counts()["aliases"] == 1
    # an alias that becomes an article of its own stops being an alias
    write(catalog, Article(source_key="/b/copy.txt", title="Copy", body="A different body now, long enough."))
    assert catalog.aliases_of(HARBOUR.article_id) == []


def test_chunks_and_the_counter(catalog: Catalog) -> None:
    write(catalog, HARBOUR, ROWING)
    ids = [c.chunk_id for a in (HARBOUR, ROWING) for c in chunks_of(a)]
    assert catalog.chunk_count() == 4 == len(ids)
    first = catalog.chunk_ids(None, 3)
    assert first == sorted(ids)[:3] and catalog.chunk_ids(first[-1], 3) == sorted(ids)[3:]
    spans = catalog.get_chunks([ids[1], "nope:0"])
    assert list(spans) == [ids[1]] and (spans[ids[1]].start, spans[ids[1]].ordinal) == (chunks_of(HARBOUR)[1].start, 1)
    assert [c.ordinal for c in catalog.article_chunks(HARBOUR.article_id)] == [0, 1]
    catalog.add_chunks(chunks_of(HARBOUR), {HARBOUR.article_id: HARBOUR.title})  # the same ids again
    assert catalog.chunk_count() == 4 and catalog.totals().keyword_rows == 4
    catalog.begin_articles([HARBOUR.article_id])  # a rewrite drops the old chunks
    assert catalog.chunk_count() == 2 and catalog.pending() == [(HARBOUR.article_id, True)]
    catalog.invalidate([HARBOUR.article_id])
    assert catalog.pending() == [] and catalog.source_state(HARBOUR.source_key) == ("article", "", HARBOUR.article_id)
    catalog.remove_articles([ROWING.article_id])
    assert catalog.chunk_count() == 0 and catalog.totals().keyword_rows == 0


def test_pending_marks_tell_new_from_rewritten(catalog: Catalog) -> None:
    write(catalog, HARBOUR)
    catalog.begin_articles([HARBOUR.article_id, ROWING.article_id])
    assert sorted(catalog.pending()) == sorted([(HARBOUR.article_id, True), (ROWING.article_id, False)])
    catalog.remove_articles([ROWING.article_id])
    catalog.finish_articles([HARBOUR])
    assert catalog.pending() == []


def test_keyword_search_stems_filters_and_ranks(catalog: Catalog) -> None:
    write(catalog, HARBOUR, ROWING, COMET)
    quill = catalog.keyword_search(["quill"], 10)
    assert [c for c, _ in quill] == sorted(c.chunk_id for c in chunks_of(HARBOUR))  # both sentences name her
    assert [c for c, _ in catalog.keyword_search(["bank"], 10)] == [c.chunk_id for c in chunks_of(HARBOUR)]  # stemmed
    rowing, title_only = (c.chunk_id for c in chunks_of(ROWING))
    best = catalog.keyword_search(["rowing", "comet"], 10)
    assert {c for c, _ in best[:2]} == {rowing, chunks_of(COMET)[0].chunk_id}  # in text and title
    assert best[2][0] == title_only and best[1][1] > best[2][1] > 0  # in the title only
    assert catalog.keyword_search(["rowing", "comet"], 1) == best[:1]
    sport = catalog.keyword_search(["rowing", "comet"], 10, Filters(topic="SPORT"))
    assert [c for c, _ in sport] == [rowing, title_only]
    assert [c for c, _ in catalog.keyword_search(["quill"], 10, Filters(outlet="coastal wire", since=date(2024, 1, 1)))] == [c for c, _ in quill]
    assert catalog.keyword_search(["quill"], 10, Filters(until=date(2023, 1, 1))) == []
    assert catalog.keyword_search(["comet"], 10, Filters(since=date(2000, 1, 1))) == []  # no date: outside any range
    assert catalog.keyword_search([], 10) == []


def test_text_words_outrank_title_words(catalog: Catalog) -> None:
    in_text = Article(source_key="/t/1", title="Weather", body="The lighthouse keeper retired after forty years.")
    in_title = Article(source_key="/t/2", title="Lighthouse news", body="The keeper of the old tower retired after forty years.")
    write(catalog, in_text, in_title)
    ranked = catalog.keyword_search(["lighthouse"], 10)
    assert [c for c, _ in ranked] == [f"{in_text.article_id}:0", f"{in_title.article_id}:0"]


@pytest.mark.parametrize("term", ['"', "AND", "OR", "NOT", "NEAR", "*", "title:x", "a'b", "\\", "(", "&", "|", "!", ":*"])
def test_keyword_syntax_in_questions_is_harmless(catalog: Catalog, term: str) -> None:
    write(catalog, HARBOUR)
    assert catalog.keyword_search([term, "quill"], 10)[0][0].startswith(HARBOUR.article_id)


def test_document_frequencies(catalog: Catalog) -> None:
    write(catalog, HARBOUR, ROWING, COMET)
    frequencies, total = catalog.document_frequencies(["quill", "bank", "row", "zebra", "harbour", "rowing"])
    # Porter stems ('rowing' is 'row'); a title word is in every chunk of its article
    assert (frequencies, total) == ({"quill": 2, "bank": 2, "row": 2, "harbour": 2}, 5)
    catalog.remove_articles([HARBOUR.article_id])
    assert catalog.document_frequencies(["quill", "row"]) == ({"row": 2}, 3)
    assert catalog.document_frequencies([]) == ({}, 3)


def test_embedding_cache(catalog: Catalog) -> None:
    vectors = {"k1": np.arange(4, dtype=np.float32), "k2": np.ones(4, dtype=np.float32) / 3}
    catalog.cache_vectors(vectors.items())
    catalog.cache_vectors([("k1", np.full(4, 2.0, dtype=np.float32))])
    found = catalog.cached_vectors(["k1", "k2", "k3"])
    assert set(found) == {"k1", "k2"}
    np.testing.assert_array_equal(found["k1"], np.full(4, 2.0, dtype=np.float32))
    np.testing.assert_array_equal(found["k2"], vectors["k2"])
    assert catalog.cached_vectors([f"x{i}" for i in range(1200)]) == {}  # more keys than one statement takes


def test_signatures_and_buckets(catalog: Catalog) -> None:
    write(catalog, HARBOUR, ROWING)
    catalog.store_signature(HARBOUR.article_id, b"\x01\x02", [5, -7, 2**62])
    catalog.store_signature(ROWING.article_id, b"\x03", [-7, 11])
    assert catalog.bucket_members([-7]) == {HARBOUR.article_id, ROWING.article_id}
    assert catalog.bucket_members([2**62, 99]) == {HARBOUR.article_id} and catalog.bucket_members([]) == set()
    catalog.store_signature(HARBOUR.article_id, b"\x09", [99])  # replaces the old keys
    assert catalog.bucket_members([5, -7]) == {ROWING.article_id}
    assert catalog.signatures(None, 1) == [min((HARBOUR.article_id, b"\x09"), (ROWING.article_id, b"\x03"))]
    assert len(catalog.signatures()) == 2 and catalog.unsigned_articles() == []
    write(catalog, COMET)
    assert catalog.unsigned_articles() == [(COMET.article_id, COMET.body)]
    catalog.remove_articles([ROWING.article_id])
    assert catalog.bucket_members([-7, 11]) == set() and [i for i, _ in catalog.signatures()] == [HARBOUR.article_id]
    catalog.clear_buckets()
    assert catalog.bucket_members([99]) == set() and len(catalog.signatures()) == 1


def test_near_duplicate_copies(catalog: Catalog) -> None:
    write(catalog, HARBOUR)
    first = NearDuplicate("http://b.test/1", HARBOUR.article_id, 0.71, "Copy one", "Bay News", "http://b.test/1", date(2024, 3, 3))
    second = NearDuplicate("http://c.test/2", HARBOUR.article_id, 0.93, "Copy two", None, None, None)
    catalog.remember_copy(first, '{"n": 1}')
    catalog.remember_copy(second, '{"n": 2}')
    assert catalog.copies_of([HARBOUR.article_id, "other"]) == {HARBOUR.article_id: [second, first]}
    assert catalog.copy_record("http://b.test/1") == '{"n": 1}' and catalog.copy_record("nope") is None
    catalog.forget_copy("http://c.test/2")
    assert catalog.copies_of([HARBOUR.article_id]) == {HARBOUR.article_id: [first]}


def test_near_duplicates_found_through_the_bucket_table(catalog: Catalog) -> None:
    near = NearDuplicates(catalog, NearDuplicateConfig())
    near.prepare()
    body = " ".join(f"Sentence {i} of the long harbour report about boats and nets." for i in range(30))
    original = Article(source_key="/a/original.txt", title="Report", body=body)
    write(catalog, original)
    near.add(original)
    near.settle()
    copy = Article(source_key="/b/copy.txt", title="Report", body=body.replace("Sentence 3 ", "Line 3 "))
    match = near.find(copy)
    assert match is not None and (match.article_id, match.source) == (original.article_id, original.source_key)
    assert 0.9 < match.similarity < 1
    assert near.find(Article(source_key="/c/other.txt", title="Other", body=HARBOUR.body)) is None
    other = NearDuplicates(reopen(catalog), NearDuplicateConfig())  # a new process finds it too: no rebuild
    assert other.find(copy) == match


def test_feed_state_and_http_validators(catalog: Catalog) -> None:
    assert not catalog.is_known_feed("http://f.test/rss") and catalog.feed_statuses() == []
    catalog.record_feed_round([("http://f.test/rss", "http://f.test/a", "fp1")], {"http://f.test/rss": "Feed"}, "added 1")
    catalog.record_feed_round([("http://f.test/rss", "http://f.test/a", "fp2")], {"http://f.test/rss": "Feed"}, "updated 1")
    assert catalog.is_known_feed("http://f.test/rss")
    assert catalog.feed_entries("http://f.test/rss") == {"http://f.test/a": "fp2"}
    [status] = catalog.feed_statuses()
    assert (status.url, status.title, status.last_summary) == ("http://f.test/rss", "Feed", "updated 1")
    assert catalog.http_validators("http://f.test/a") == (None, None)
    catalog.remember_http_validators("http://f.test/a", '"e1"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert catalog.http_validators("http://f.test/a") == ('"e1"', "Mon, 01 Jan 2024 00:00:00 GMT")
    catalog.forget_http_validators("http://f.test/a")
    assert catalog.http_validators("http://f.test/a") == (None, None)


def test_one_writer_at_a_time(catalog: Catalog) -> None:
    other = reopen(catalog)
    with catalog.writer_lock(timeout=1):
        with pytest.raises(IndexBusyError, match="another newsdesk process is indexing"):
            with other.writer_lock(timeout=0.3):
                pass
    with other.writer_lock(timeout=1):  # released
        pass
    other.close()


def test_readers_are_not_blocked_by_a_writer(catalog: Catalog) -> None:
    write(catalog, HARBOUR)
    reader = reopen(catalog)
    results: list[object] = []
    with catalog.writer_lock(timeout=1):
        catalog.begin_articles([ROWING.article_id])
        thread = threading.Thread(target=lambda: results.append(reader.get_article(HARBOUR.source_key)))
        thread.start()
        thread.join(timeout=10)
    assert results and results[0] is not None
    reader.close()


def test_wipe_empties_everything_and_keeps_working(catalog: Catalog) -> None:
    write(catalog, HARBOUR, ROWING)
    catalog.set_meta({"model": "m", "index_id": "x"})
    catalog.store_signature(HARBOUR.article_id, b"\x01", [1])
    catalog.cache_vectors([("k", np.zeros(2, dtype=np.float32))])
    catalog.record_feed_round([], {"http://f.test/rss": None}, "")
    version = catalog.get_meta()["schema_version"]
    catalog.wipe()
    assert catalog.get_meta() == {"schema_version": version}
    assert not catalog.has_articles() and catalog.chunk_count() == 0 and catalog.bucket_members([1]) == set()
    assert catalog.cached_vectors(["k"]) == {} and catalog.feed_statuses() == []
    assert catalog.document_frequencies(["quill"]) == ({}, 0)
    write(catalog, COMET)
    assert catalog.chunk_count() == 1


def test_new_near_duplicate_settings_rebucket_once(catalog: Catalog) -> None:
    body = " ".join(f"Paragraph {i} of the ferry timetable story with tides and harbours." for i in range(30))
    original = Article(source_key="/a/ferry.txt", title="Ferry", body=body)
    write(catalog, original)
    first = NearDuplicates(catalog, NearDuplicateConfig(num_perm=64))
    first.prepare()
    first.add(original)
    keys_before = catalog.signatures()
    stricter = NearDuplicates(catalog, NearDuplicateConfig(num_perm=128, threshold=0.8))
    assert (stricter.bands, stricter.rows) != (first.bands, first.rows)
    stricter.prepare()  # signatures recomputed at 128 permutations, buckets re-cut
    assert catalog.signatures() != keys_before and len(catalog.signatures()[0][1]) == 128 * 4
    assert catalog.get_meta()["lsh"] == f"affine32/128/5/{stricter.bands}x{stricter.rows}"
    copy = Article(source_key="/b/ferry.txt", title="Ferry", body=body.replace("Paragraph 7 ", "Part 7 "))
    match = stricter.find(copy)
    assert match is not None and match.article_id == original.article_id
