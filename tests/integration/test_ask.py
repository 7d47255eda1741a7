"""Index + ask on the fixture articles with the real model, Chroma and SQLite: the Python
contract, citations whose quotes are the article's own text, filters, the retriever."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from langchain_core.runnables import RunnableLambda
from support import Indexed, MakeAssistant, assert_consistent

from assistant import ABSTENTION, Answer, Assistant, InvalidQuestionError
from assistant.api import EMPTY_INDEX
from index import ChunkConfig, EmbeddingConfig, IndexMismatchError
from index.embedding import Embedder
from index.sentences import sentence_spans

pytestmark = pytest.mark.integration

INDEXED_SOURCES = [
    "business/bakery-oven.txt",
    "business/harbour-bank.txt",
    "business/tin-mine.txt",
    "politics/council-vote.md",
    "science/comet.html",
    "science/glassworks.pdf",
    "sport/rowing.json#1",
    "sport/rowing.json#2",
    "world/wires.jsonl#1",
    "world/wires.jsonl#3",
]

# (question, the article that holds the answer, words the answer must contain)
QUESTIONS = [
    ("Who was appointed chief executive of the Harbour Bank of Port Elwin?", "business/harbour-bank.txt", "Marta Quill"),
    ("By how many votes did Elwin council decide to close Mill Street to cars?", "politics/council-vote.md", "seven votes to two"),
    ("Why did ferry crews on the Skerrin Islands route walk out?", "world/wires.jsonl#1", "night-shift pay"),
    ("In what year did the Kessel tin mine produce its record output?", "business/tin-mine.txt", "1974"),
    ("How many people has the Varnmouth glassworks hired?", "science/glassworks.pdf", "sixty"),
    ("How much did the Tolborough bakery pay for its stone oven?", "business/bakery-oven.txt", "\u00a318,500"),
    ("Who discovered the comet Ostrander-Hallow?", "science/comet.html", None),
    ("Who coached the Cray rowing crew that won the Lowmoor Cup?", "sport/rowing.json#1", None),
]


def assert_quotes_are_verbatim(assistant: Assistant, answer: Answer) -> None:
    """The invariant every UI relies on: quote == article body[start:end]."""
    for citation in answer.citations:
        article = assistant.article(citation.article_id)
        assert article is not None
        assert article.body[citation.start : citation.end] == citation.quote
        assert citation.source == article.source
        assert f"[{citation.n}]" in answer.text


def test_index_report(indexed: Indexed) -> None:
    report = indexed.report
    assert sorted(report.added) == sorted(indexed.source(s) for s in INDEXED_SOURCES)
    assert report.updated == report.removed == report.unchanged == report.duplicates == []
    assert [(s.source, "invalid JSON" in s.reason) for s in report.skipped] == [
        (indexed.source("world/wires.jsonl#2"), True)
    ]
    assert report.chunks_embedded >= len(INDEXED_SOURCES)
    assert_consistent(indexed.assistant.store)


@pytest.mark.parametrize(("question", "source", "expected"), QUESTIONS)
def test_ask_cites_the_right_article(indexed: Indexed, question: str, source: str, expected: str | None) -> None:
    answer = indexed.assistant.ask(question)
    assert not answer.abstained
    assert answer.citations[0].source == indexed.source(source)
    if expected:
        assert expected in answer.text
        assert any(expected in c.quote for c in answer.citations)
    assert_quotes_are_verbatim(indexed.assistant, answer)


def test_python_contract(indexed: Indexed) -> None:
    answer = indexed.assistant.ask(QUESTIONS[0][0])
    assert (answer.question, answer.abstained, answer.mode, answer.model, answer.fallback) == (
        QUESTIONS[0][0], False, "extractive", None, None)
    assert answer.standalone_question is None  # no history
    first = answer.citations[0]
    assert (first.n, first.title, first.source, first.topic, first.outlet, first.published, first.url) == (
        1, "Harbour Bank of Port Elwin names Marta Quill as chief executive",
        indexed.source("business/harbour-bank.txt"), "business", None, None, None)
    assert first.quote.startswith("The Harbour Bank of Port Elwin has appointed Marta Quill as its chief executive")
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert_quotes_are_verbatim(indexed.assistant, answer)
    assert "total" in answer.timings and answer.timings["total"] > 0
    assert len(answer.passages) == indexed.assistant.settings.retrieval.k
    assert answer.passages[0].source == first.source
    assert first.quote in answer.passages[first.passage_rank - 1].text  # the quote comes from the passage it names
    scores = [p.score for p in answer.passages]
    assert scores == sorted(scores, reverse=True)
    assert [p.rank for p in answer.passages] == list(range(1, len(answer.passages) + 1))
    for passage in answer.passages:
        assert indexed.assistant.article(passage.article_id).body[passage.start : passage.end] == passage.text


def test_passages_are_article_text_and_capped_per_article(indexed: Indexed) -> None:
    assistant = indexed.assistant
    passages = assistant.search("Harbour Bank Port Elwin Marta Quill branches shares profit", k=8)
    assert len(passages) <= 8
    per_article: dict[str, int] = {}
    for passage in passages:
        article = assistant.article(passage.article_id)
        assert article.body[passage.start : passage.end] == passage.text
        per_article[passage.article_id] = per_article.get(passage.article_id, 0) + 1
    assert max(per_article.values()) <= assistant.settings.retrieval.max_chunks_per_article


def test_metadata_of_each_format(indexed: Indexed) -> None:
    article = indexed.assistant.article(indexed.source("politics/council-vote.md"))
    assert (article.outlet, article.published, article.topic) == ("The Elwin Courier", date(2023, 3, 14), "politics")
    assert article.author == "Dana Roe"
    page = indexed.assistant.article(indexed.source("science/comet.html"))
    assert (page.outlet, page.published, page.author) == ("Northern Ledger", date(2024, 1, 9), "Ravi Lund")
    record = indexed.assistant.article(indexed.source("sport/rowing.json#1"))
    assert record.url == "https://example.org/sport/lowmoor-cup"
    assert indexed.assistant.article(record.article_id) == record  # by id too
    assert indexed.assistant.article("/no/such/article.txt") is None


def test_boilerplate_and_scripts_are_never_indexed(indexed: Indexed) -> None:
    bodies = "\n".join(a.body for a in indexed.assistant.articles())
    for junk in ("Live updates on", "More: Why small", "Follow the Daily podcast", "ZX-TRACKER", "Share this article"):
        assert junk not in bodies
    passages = indexed.assistant.search("Follow the Daily podcast on Spotify live updates", k=10)
    assert all("podcast" not in p.text for p in passages)


def test_stream_yields_text_then_the_answer(indexed: Indexed) -> None:
    *pieces, answer = indexed.assistant.stream(QUESTIONS[0][0])
    assert "".join(pieces) == " ".join(f"{c.quote} [{c.n}]" for c in answer.citations)  # type: ignore[union-attr]
    assert "Marta Quill" in "".join(pieces)  # type: ignore[arg-type]
    expected = indexed.assistant.ask(QUESTIONS[0][0])
    assert answer.model_dump(exclude={"timings"}) == expected.model_dump(exclude={"timings"})  # type: ignore[union-attr]


def test_unanswerable_question_abstains(indexed: Indexed) -> None:
    answer = indexed.assistant.ask("Which chess grandmaster won the 1972 world championship in Reykjavik?")
    assert answer.abstained
    assert answer.text == ABSTENTION
    assert answer.citations == []


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        ({"outlet": "The Elwin Courier"}, {"politics/council-vote.md"}),
        ({"outlet": "the elwin courier"}, {"politics/council-vote.md"}),
        ({"topic": "sport"}, {"sport/rowing.json#1", "sport/rowing.json#2"}),
        ({"since": "2024-01-01"}, {"science/comet.html", "world/wires.jsonl#1", "world/wires.jsonl#3"}),
        ({"until": "2022-12-31"}, {"sport/rowing.json#1", "sport/rowing.json#2"}),
        ({"since": date(2023, 1, 1), "until": "2024-05-31"}, {"politics/council-vote.md", "science/comet.html", "world/wires.jsonl#1"}),
    ],
)
def test_filters(indexed: Indexed, filters: dict, allowed: set[str]) -> None:
    question = "What happened in Port Elwin, Cray and the Skerrin Islands?"
    passages = indexed.assistant.search(question, k=10, **filters)
    assert {p.source for p in passages} == {indexed.source(s) for s in allowed}
    answer = indexed.assistant.ask(question, **filters)
    assert {p.source for p in answer.passages} == {indexed.source(s) for s in allowed}
    assert {c.source for c in answer.citations} <= {indexed.source(s) for s in allowed}


def test_a_filter_can_exclude_the_answer(indexed: Indexed) -> None:
    answer = indexed.assistant.ask(QUESTIONS[0][0], topic="sport")
    assert all(c.topic == "sport" for c in answer.citations)
    assert "Marta Quill" not in answer.text


def test_bad_filter_date_is_a_clear_error(indexed: Indexed) -> None:
    with pytest.raises(InvalidQuestionError, match="since"):
        indexed.assistant.ask("Anything?", since="last Tuesday")


def test_langchain_retriever(indexed: Indexed) -> None:
    retriever = indexed.assistant.retriever(k=3)
    documents = retriever.invoke("Who discovered the comet from Hallow Hill?")
    assert len(documents) == 3
    top = documents[0]
    assert top.metadata["source"] == indexed.source("science/comet.html")
    assert "comet" in top.page_content
    body = indexed.assistant.article(top.metadata["article_id"]).body
    assert body[top.metadata["start"] : top.metadata["end"]] == top.page_content
    sport = indexed.assistant.retriever(k=5, topic="sport").invoke("comet")
    assert {d.metadata["source"] for d in sport} == {indexed.source("sport/rowing.json#1"), indexed.source("sport/rowing.json#2")}
    # it composes with any LangChain runnable
    titles = (retriever | RunnableLambda(lambda docs: [d.metadata["title"] for d in docs])).invoke("comet")
    assert titles[0] == top.metadata["title"]


def test_stats_and_articles(indexed: Indexed) -> None:
    stats = indexed.assistant.stats()
    assert stats.articles == len(INDEXED_SOURCES)
    assert stats.chunks == stats.vectors >= stats.articles
    assert stats.aliases == 0
    assert stats.by_topic == {"business": 3, "science": 2, "sport": 2, "world": 2, "politics": 1}
    assert stats.by_outlet["Coastal Wire"] == 2
    assert (stats.first_published, stats.last_published) == ("2022-06-05", "2024-06-02")
    assert sorted(a.source for a in indexed.assistant.articles()) == sorted(indexed.source(s) for s in INDEXED_SOURCES)


def test_chunks_fit_the_model_window_with_one_sentence_overlap(indexed: Indexed, embedder: Embedder) -> None:
    store = indexed.assistant.store
    article = indexed.assistant.article(indexed.source("business/harbour-bank.txt"))
    rows = store.catalog.db.execute(
        'SELECT start, "end" FROM chunks WHERE article_id = ? ORDER BY ordinal', (article.article_id,)
    ).fetchall()
    assert len(rows) >= 2  # long enough to need more than one chunk
    texts = [article.body[start:end] for start, end in rows]
    counts = embedder.count_tokens(texts)
    assert max(counts) <= store.chunking.max_tokens
    spans = sentence_spans(article.body)
    for (_, previous_end), (start, _) in pairwise(rows):
        repeated = [(s, e) for s, e in spans if s >= start and e <= previous_end]
        assert len(repeated) == 1  # one sentence of overlap


def test_empty_and_huge_questions_are_clear_errors(indexed: Indexed) -> None:
    with pytest.raises(InvalidQuestionError, match="empty"):
        indexed.assistant.ask("   ")
    with pytest.raises(InvalidQuestionError, match="10,000 characters"):
        indexed.assistant.ask("w" * 10_000)


def test_question_on_an_empty_index(tmp_path: Path, make_assistant: MakeAssistant) -> None:
    answer = make_assistant(tmp_path / "empty").ask("Who runs the Harbour Bank?")
    assert (answer.abstained, answer.text, answer.citations) == (True, EMPTY_INDEX, [])


def test_reopening_with_other_settings_is_refused(indexed: Indexed, make_assistant: MakeAssistant) -> None:
    with pytest.raises(IndexMismatchError, match="chunk_max_tokens"):
        make_assistant(indexed.data_dir, chunking=ChunkConfig(max_tokens=120)).stats()
    other_model = Assistant(data_dir=indexed.data_dir, embedding=EmbeddingConfig(model="/models/other-minilm"))
    with pytest.raises(IndexMismatchError, match="model"):
        other_model.stats()


def test_follow_up_question_uses_the_history(indexed: Indexed) -> None:
    first = indexed.assistant.ask(QUESTIONS[0][0])
    follow_up = indexed.assistant.ask("And what did the chairman say?", history=[(QUESTIONS[0][0], first.text)])
    assert follow_up.standalone_question == (
        "And what did the chairman say? (appointed chief executive Harbour Bank Port Elwin)")
    assert follow_up.passages[0].source == indexed.source("business/harbour-bank.txt")
    assert_quotes_are_verbatim(indexed.assistant, follow_up)
    messages = [{"role": "user", "content": QUESTIONS[0][0]}, {"role": "assistant", "content": first.text}]
    assert indexed.assistant.ask("And what did the chairman say?", history=messages).standalone_question == follow_up.standalone_question


@pytest.mark.parametrize(
    ("question", "cited", "says"),
    [
        # FTS5 syntax in a question is quoted, never run as a query
        ('What did "Marta Quill" promise? AND OR NOT NEAR(bank, 3) * ^ -branches', "business/harbour-bank.txt",
         "promised to keep all nine branches open"),
        ("What is it?", None, None),  # only stopwords: no keyword query at all, nothing to answer
        ("?!", None, None),
    ],
)
def test_odd_questions_get_answers_not_errors(indexed: Indexed, question: str, cited: str | None, says: str | None) -> None:
    answer = indexed.assistant.ask(question)
    if cited is None:
        assert (answer.abstained, answer.text, answer.citations) == (True, ABSTENTION, [])
        return
    # the syntax noise costs confidence: the sentence may come as the answer or as related evidence
    assert answer.citations[0].source == indexed.source(cited)
    assert says in answer.citations[0].quote
    assert answer.reason in {None, "not_stated"}
    assert_quotes_are_verbatim(indexed.assistant, answer)


def test_a_question_in_another_language_with_an_emoji(indexed: Indexed) -> None:
    answer = indexed.assistant.ask("Wie heißt die neue Chefin der Harbour Bank? 🚢")
    assert {c.source for c in answer.citations} <= {indexed.source("business/harbour-bank.txt")}
    assert (answer.text == ABSTENTION) is answer.abstained is (answer.citations == [])
    assert_quotes_are_verbatim(indexed.assistant, answer)


@pytest.mark.parametrize(("k", "shown"), [("abc", "'abc'"), (2.5, "2.5"), (-5, "-5"), (0, "0"), (10**9, "1000000000")])
def test_k_outside_its_bounds_is_a_clear_error(indexed: Indexed, k: object, shown: str) -> None:
    message = rf"^k={shown}: the number of passages must be a whole number from 1 to 50$"
    with pytest.raises(InvalidQuestionError, match=message):
        indexed.assistant.ask(QUESTIONS[0][0], k=k)  # type: ignore[arg-type]
    with pytest.raises(InvalidQuestionError, match=message):
        indexed.assistant.search(QUESTIONS[0][0], k=k)  # type: ignore[arg-type]
    assert len(indexed.assistant.search(QUESTIONS[0][0], k=3)) == 3


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("Who runs the bank\udcff?", r"^the question is not valid text: character 18 is not UTF-8 \('\\udcff', "),
        (42, r"^the question must be text, not int$"),
        (None, r"^the question must be text, not NoneType$"),
    ],
)
def test_a_question_that_is_not_text_is_a_clear_error(indexed: Indexed, question: object, message: str) -> None:
    with pytest.raises(InvalidQuestionError, match=message):
        indexed.assistant.ask(question)  # type: ignore[arg-type]
