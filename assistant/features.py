"""The features of a candidate sentence for a (part of a) question: how close it is in meaning,
how much of the question it and its context cover, whether it holds what is asked for next to
what is asked about, and whether it is tied to the question's names and years.

Every feature lies in [0, 1]; the answer model (assistant/calibration.py) weighs them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence, Set
from functools import lru_cache

import numpy as np

from assistant import nlp
from assistant.evidence import CONTINUES, Candidate
from assistant.mentions import Mention
from assistant.query import YEAR, Query
from assistant.slots import FILLERS, SCORE_NOUNS, Slot, statement_parts
from assistant.speakers import Speaker
from assistant.text import STOPWORDS, content_stems, stem, stem_set, words
from index.embedding import TokenVectors

FEATURES = (
    "dense", "soft", "ctx_soft", "value_soft", "local_soft", "art_lex", "lex", "ctx", "names", "names_art",
    "entity_missing", "years", "filler", "filler_near", "filler_next", "speaker", "speaker_person", "role_match",
    "speaker_match", "rank", "lede", "reported", "typed", "weakest", "hedged", "ordinal_clash",
    "verb_cov", "mod_cov", "propn_cov", "noun_cov", "year_clash", "value_noun",
)
"""Feature names, in the order of the answer model's weights."""

TYPED = {Slot.AMOUNT, Slot.NUMBER, Slot.PERCENT, Slot.DATE, Slot.PERSON, Slot.ORG, Slot.PLACE}
_NAMED_KINDS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "NAME"})
HEDGES = frozenset(stem(w) for w in (
    "estimate", "estimated", "could", "might", "expected", "forecast", "predicted", "projected",
    "likely", "would", "seeks", "wants", "proposed", "plans", "target", "hopes", "offer", "bid", "aims",
    "potentially", "possible", "due", "should", "recommends", "understood", "believed", "rumoured",
    "speculation", "tipped", "suggested", "considering", "hoping",
))
"""Words that make a value a projection, an estimate or a claim rather than what happened
("may" is left out: it is also the month)."""


_ORDINALS = {
    "first": 1, "opening": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
    "ninth": 9, "9th": 9, "tenth": 10, "10th": 10,
}
"""Ordinal words by the position they name ("final" and "last" are left out: "the bowl final",
"last year")."""


def ordinals(text: str) -> set[int]:
    """The positions the text's ordinal words name: "the second round" -> {2}."""
    return {_ORDINALS[w] for w in words(text) if w in _ORDINALS}


def ordinal_clash(query: Query, sentence: str) -> float:
    """1 when the question asks about one position ("the third ferry") and the sentence speaks
    of another only ("the second ferry"): a near miss, not the answer."""
    return _clash(ordinals(query.text), ordinals(sentence))


def year_clash(query: Query, sentence: str) -> float:
    """1 when the question names a year ("during 2003") and the sentence names years, none of
    them the question's ("in the closing months of 2004"): another period's figure."""
    return _clash(set(query.years), set(YEAR.findall(sentence)))


def _clash(asked: Set[object], said: Set[object]) -> float:
    """1 when the question and the sentence both name some (positions, years) and share none."""
    return 1.0 if asked and said and not asked & said else 0.0


def idf_weights(stems: Sequence[str], frequencies: dict[str, int], total: int) -> dict[str, float]:
    """Smoothed IDF per stem: log((N + 1) / (df + 0.5)); unseen words weigh the most."""
    return {s: math.log((total + 1) / (frequencies.get(s, 0) + 0.5)) for s in stems}


def coverage(idf: dict[str, float], stems: set[str]) -> float:
    """Share of the question's IDF mass whose stems occur in stems (0..1)."""
    total = sum(idf.values())
    return sum(w for t, w in idf.items() if t in stems) / total if total else 0.0


def fillers(query: Query, mentions: Sequence[Mention]) -> list[Mention]:
    """Mentions that can fill the asked-for slot and say something the question does not."""
    kinds = FILLERS.get(query.slot)
    if query.slot == Slot.THING:
        kinds = _NAMED_KINDS
    elif query.asked.head in SCORE_NOUNS:
        kinds = frozenset({"SCORE"})  # "what was the score": "24 hours" is a number, not a result
    if not kinds:
        return []
    asked = set(words(query.text))
    wants_year = query.slot == Slot.DATE and query.asked.head in {"year", "years"}
    found = []
    for mention in mentions:
        if mention.kind not in kinds or (wants_year and not YEAR.search(mention.text)):
            continue  # "in what year": "on Monday" is a date, not the answer
        said = set(words(mention.text))
        if said and not said <= asked:
            found.append(mention)
    return found


def near_focus(query: Query, sentence: str, mentions: Sequence[Mention], window: int = 4) -> bool:
    """A filler stands within `window` words of the thing asked about ("2,234 adults")."""
    focus = {stem(w) for w in words(query.asked.head)} if query.asked.head else set()
    if not focus:
        return False
    for mention in mentions:
        before = words(sentence[: mention.start])[-window:]
        after = words(sentence[mention.end :])[:window]
        if focus & {stem(w) for w in before + after + words(mention.text)}:
            return True
    return False


def hedged(query: Query, sentence: str, mention: Mention, before: int = 8) -> float:
    """1 when the value is an estimate, a forecast or an asking figure ("could fetch up to £9m",
    "an estimate of £1.8m", "seeks damages of up to …") and the question does not ask for one:
    "what did it eventually fetch" is not answered by what it was expected to fetch."""
    if _asks_for_estimate(query.text):
        return 0.0
    near = words(sentence[: mention.start])[-before:]
    return 1.0 if HEDGES & {stem(w) for w in near} else 0.0


@lru_cache(maxsize=1024)
def _asks_for_estimate(question: str) -> bool:
    """The question itself speaks of an estimate, a plan or an offer ("was expected to fetch")."""
    return bool(HEDGES & {stem(w) for w in words(question)})


def content_token_rows(tokens: TokenVectors) -> np.ndarray:
    """The rows of a text's word-piece vectors that carry content (no stop words, no punctuation)."""
    return tokens.token_vectors[content_indices(tokens)]


def content_indices(tokens: TokenVectors) -> list[int]:
    """The indices of a text's content word-pieces (no stop words, no punctuation)."""
    return [i for i, t in enumerate(tokens.tokens) if t.strip("#").isalnum() and t not in STOPWORDS]


def soft_coverage(question: np.ndarray, sentence: TokenVectors) -> float:
    """How well the sentence's word-pieces cover the question's content word-pieces in meaning:
    the mean, over question pieces, of the best cosine with any sentence piece (BERTScore
    recall). "farming" finds "agriculture", "labour force" finds "workforce"."""
    if not len(question) or not len(sentence.token_vectors):
        return 0.0
    return float(np.clip((question @ sentence.token_vectors.T).max(axis=1), 0, 1).mean())


def value_context(question: np.ndarray, sentence: TokenVectors, mention: Mention, window: int = 6) -> float:
    """How well the words around a mention cover the question in meaning (BERTScore recall of
    the question by the `window` word-pieces on each side): "45% of gross domestic product"
    answers "what share of national output", "24% higher than in 2003" does not."""
    near = value_window(sentence, mention, window)
    if not near or not len(question):
        return 0.0
    return float(np.clip((question @ sentence.token_vectors[near].T).max(axis=1), 0, 1).mean())


def value_window(sentence: TokenVectors, mention: Mention, window: int) -> list[int]:
    """The sentence's word-pieces within `window` of a mention on each side, its own left out."""
    inside = [i for i, (s, e) in enumerate(sentence.offsets) if s < mention.end and mention.start < e]
    if not inside:
        return []
    lo, hi = max(0, inside[0] - window), min(len(sentence.tokens), inside[-1] + window + 1)
    return [i for i in range(lo, hi) if i not in inside]


def value_noun(question: np.ndarray, groups: Sequence[str], sentence: TokenVectors, mention: Mention,
               window: int = 8) -> float:
    """How well the words around the chosen value meet the question's worst-met noun (1 when
    the question has none): "a capacity of 9,000" for "how many fans came", "a fine of £400"
    for "what bonus was she paid" meet it less than the answer's own words do."""
    near = value_window(sentence, mention, window)
    if not near or not len(question):
        return 1.0
    reach = np.clip((question @ sentence.token_vectors[near].T).max(axis=1), 0, 1)
    return worst_by_group(reach, groups)["noun_cov"]


def score_features(
    query: Query, candidates: Sequence[Candidate], question: TokenVectors,
    vectors: dict[str, TokenVectors], idf: dict[str, float],
) -> None:
    """Fill candidate.features (and value / value_sentence) for every candidate."""
    question_rows = content_token_rows(question)
    # coverage of each question word-piece by each candidate: what every candidate covers is the
    # story's topic; what few cover is what the question asks about in particular
    covers = {c.text: (question_rows @ vectors[c.text].token_vectors.T).clip(0, 1).max(axis=1)
              for c in candidates if c.text in vectors and len(question_rows) and len(vectors[c.text].token_vectors)}
    weights = 1.0 - np.mean(list(covers.values()), axis=0) if covers else None
    in_article = _sentence_frequencies(query, candidates)
    role_rows = _phrase_rows(query, question)
    groups = piece_groups(query.text, question)
    names = query.name_stems
    asked_speaker = speaker_stems(query)
    article_stems: dict[str, set[str]] = {}
    for cand in candidates:
        article = cand.article
        if article.article_id not in article_stems:
            article_stems[article.article_id] = stem_set(article.title + "\n" + article.body)
        own = stem_set(cand.text)
        context = own | stem_set(article.title) | stem_set(cand.neighbour(-1)) | stem_set(cand.neighbour(1))
        f = cand.features
        tokens = vectors.get(cand.text)
        f["dense"] = max(0.0, float(np.dot(question.vector, tokens.vector))) if tokens else 0.0
        f["soft"] = soft_coverage(question_rows, tokens) if tokens else 0.0
        cover = covers.get(cand.text)
        reach = covered_with_neighbours(cover, [covers.get(cand.neighbour(-1)), covers.get(cand.neighbour(1))])
        f["ctx_soft"] = float(reach.mean()) if reach is not None else 0.0
        f["local_soft"] = float((cover * weights).sum() / weights.sum()) if cover is not None and weights is not None and weights.sum() > 0 else 0.0
        f["weakest"] = _two_worst(reach)
        f.update(worst_by_group(reach, groups))
        f["art_lex"] = _article_rare_coverage(query, own, in_article[article.article_id])
        f["lex"] = coverage(idf, own)
        f["ctx"] = coverage(idf, context)
        f["names"] = len(names & context) / len(names) if names else 1.0
        f["names_art"] = len(names & article_stems[article.article_id]) / len(names) if names else 1.0
        f["years"] = _years(query, cand)
        f["entity_missing"] = _entities_missing(query, article_stems[article.article_id])
        f["rank"] = 1.0 / cand.passage.rank
        f["lede"] = 1.0 / (1 + cand.index)
        f["typed"] = 1.0 if query.slot in TYPED else 0.0
        speaker = cand.speaker
        f["reported"] = 1.0 if speaker is not None else 0.0
        _slot_features(query, cand, f, question_rows, tokens, role_rows, groups)
        f["speaker_match"] = _speaker_match(asked_speaker, cand)
        f["ordinal_clash"] = ordinal_clash(query, cand.text)
        f["year_clash"] = year_clash(query, cand.text)


_POS_GROUPS = {"VERB": "verb", "NOUN": "noun", "PROPN": "propn", "ADJ": "mod", "ADV": "mod", "NUM": "mod"}
POS_COVERAGE = {"verb": "verb_cov", "noun": "noun_cov", "propn": "propn_cov", "mod": "mod_cov"}
"""Per part of speech of the question's words, the feature of how well its worst-covered one is met."""


def piece_groups(text: str, question: TokenVectors) -> list[str]:
    """The part-of-speech group (verb, noun, propn, mod) of each content word-piece of the
    question, in content_token_rows order ("" for the others, or without spaCy)."""
    doc = nlp.parse(text)
    keep = content_indices(question)
    if doc is None:
        return ["" for _ in keep]
    starts = {t.idx + k: t.pos_ for t in doc for k in range(len(t.text))}
    return [_POS_GROUPS.get(starts.get(question.offsets[i][0], ""), "") for i in keep]


def worst_by_group(reach: np.ndarray | None, groups: Sequence[str]) -> dict[str, float]:
    """Per part of speech, how well the question's worst-covered word-piece of it is met by the
    sentence or a neighbour (1 when the question has none): a near miss often matches every
    name and noun but not the verb ("the fee to buy" / "to lease") or the qualifier ("Welsh",
    "nationwide")."""
    values = dict.fromkeys(POS_COVERAGE.values(), 1.0)
    if reach is None or len(reach) != len(groups):
        return values
    for group, name in POS_COVERAGE.items():
        rows = [i for i, g in enumerate(groups) if g == group]
        if rows:
            values[name] = float(reach[rows].min())
    return values


def covered_with_neighbours(cover: np.ndarray | None, neighbours: Sequence[np.ndarray | None]) -> np.ndarray | None:
    """Per question word-piece, its best coverage by the sentence or a neighbour among the
    candidates: "the painter who clashed with the minister" is the sentence before "she works
    from her studio near Llangadfan". None when there is nothing to cover."""
    if cover is None or not len(cover):
        return None
    return np.maximum.reduce([cover, *(n for n in neighbours if n is not None and n.shape == cover.shape)])


def weakest_coverage(cover: np.ndarray | None, neighbours: Sequence[np.ndarray | None]) -> float:
    """How well the question's two worst-covered word-pieces are met by the sentence or a neighbour:
    low when one thing the question asks about ("to repair", "the third round", "the council
    alone") is in neither, however well the rest matches."""
    return _two_worst(covered_with_neighbours(cover, neighbours))


def _two_worst(reach: np.ndarray | None) -> float:
    return float(np.sort(reach)[:2].mean()) if reach is not None else 0.0


def _slot_features(
    query: Query, cand: Candidate, f: dict[str, float], question: np.ndarray, tokens: TokenVectors | None,
    role_rows: np.ndarray | None = None, groups: Sequence[str] = (),
) -> None:
    f["filler"] = f["filler_near"] = f["filler_next"] = f["speaker"] = f["value_soft"] = 0.0
    f["value_noun"] = 1.0
    f["speaker_person"] = f["role_match"] = f["hedged"] = 0.0
    if query.asked.speaker_question:
        speaker = cand.speaker
        if speaker is not None and not set(words(speaker.name)) <= set(words(query.text)):
            f["speaker"] = 1.0
            f["filler"] = 1.0
            f["speaker_person"] = 1.0 if speaker.kind == "PERSON" else 0.0
            if role_rows is not None and len(role_rows) and tokens is not None and speaker.sentence == cand.index:
                f["role_match"] = soft_coverage(role_rows, tokens)
            cand.value = Mention("PERSON", speaker.name, 0, 0)
            cand.value_sentence = speaker.sentence
        return
    own = fillers(query, cand.mentions)
    speaker = cand.speaker
    if query.slot == Slot.PERSON and speaker is not None and speaker.sentence == cand.index and not named_by_role(query, speaker):
        # "who coached the crew?": the one quoted saying the crew trained at dawn did not coach it
        said = set(words(speaker.name))
        own = [m for m in own if not set(words(m.text)) <= said]
    if own:
        f["filler"] = 1.0
        f["filler_near"] = 1.0 if near_focus(query, cand.text, own) else 0.0
        best = own[0]
        if tokens is not None:
            scored = [(value_context(question, tokens, m), m) for m in own]
            f["value_soft"], best = max(scored, key=lambda pair: pair[0])
            f["value_noun"] = value_noun(question, groups, tokens, best)
        cand.value, cand.value_sentence = best, cand.index
        f["hedged"] = hedged(query, cand.text, best)
        return
    following = cand.neighbour(1)
    if following and CONTINUES.search(following) and cand.index + 1 in cand.article.mentions:
        later = fillers(query, cand.article.mentions[cand.index + 1])
        if later:
            f["filler_next"] = 1.0
            cand.value, cand.value_sentence = later[0], cand.index + 1


_RELATIVE = re.compile(r"\s(?:who|that|which|whose|whom)\s", re.I)


def named_by_role(query: Query, speaker: Speaker, share: float = 0.5) -> bool:
    """The sentence introduces its speaker by what the question asks about: "the secretary of
    the rowing union, Ann Vell, said" for "who is the secretary of the rowing union?" (at least
    half the question's words before any relative clause in the role), not "Cray's stroke, Ada
    Penrose, said" for "who coached the Cray crew that won?"."""
    asked = set(content_stems(_RELATIVE.split(query.text, maxsplit=1)[0]))  # "who is X [who said …]": X
    return bool(asked) and len(asked & set(content_stems(speaker.role))) >= share * len(asked)


def _phrase_rows(query: Query, question: TokenVectors) -> np.ndarray | None:
    """The question's word-piece vectors of its wh-phrase ("Nigerian grower"), to match a speaker's role."""
    phrase = set(query.asked.phrase)
    if not phrase:
        return None
    rows = [i for i, t in enumerate(question.tokens) if t.strip("#") in phrase or any(t.strip("#") in w for w in phrase)]
    return question.token_vectors[rows] if rows else None


def _sentence_frequencies(query: Query, candidates: Sequence[Candidate]) -> dict[str, tuple[int, dict[str, int]]]:
    """Per article: its number of sentences and, per question stem, in how many it occurs
    (the title counts as one more sentence)."""
    found: dict[str, tuple[int, dict[str, int]]] = {}
    stems = set(query.stems)
    for cand in candidates:
        article = cand.article
        if article.article_id in found:
            continue
        counts: dict[str, int] = dict.fromkeys(stems, 0)
        texts = [article.title] + [article.text(i) for i in range(len(article.spans))]
        for text in texts:
            for s in stems & stem_set(text):
                counts[s] += 1
        found[article.article_id] = (len(texts), counts)
    return found


def _article_rare_coverage(query: Query, own: set[str], frequencies: tuple[int, dict[str, int]]) -> float:
    """Coverage of the question's words by the sentence, each weighted by how rare it is in the
    sentence's own article: the title's and the story's words say nothing about which sentence
    answers; "creditor", said once in the article, does."""
    total, counts = frequencies
    weights = {s: math.log((total + 1) / (n + 0.5)) for s, n in counts.items() if n > 0}
    mass = sum(weights.values())
    return sum(w for s, w in weights.items() if s in own) / mass if mass else 0.0


def missing_entities(query: Query, stems: Set[str]) -> list[str]:
    """The question's named people, organisations, places, works and events whose words are
    not all among stems (an article's): its answer cannot be about them."""
    return [e for e in query.entities if not {stem(w) for w in words(e)} <= stems]


def _entities_missing(query: Query, article: set[str]) -> float:
    """Share of the question's names that the article never names ("David Cameron" in an
    archive of 2005)."""
    return len(missing_entities(query, article)) / len(query.entities) if query.entities else 0.0


def _years(query: Query, cand: Candidate) -> float:
    """1 when the question's years are in the sentence or beside it, 0.5 in its article, else 0."""
    if not query.years:
        return 1.0
    near = " ".join((cand.neighbour(-1), cand.text, cand.neighbour(1)))
    if all(y in near for y in query.years):
        return 1.0
    article = cand.article.title + " " + cand.article.body
    return 0.5 if all(y in article for y in query.years) else 0.0


def speaker_stems(query: Query) -> set[str]:
    """For "what did X say about Y": the stems of the names in X ("the NATO chief" -> {"nato"}),
    not those in Y."""
    if query.slot != Slot.STATEMENT:
        return set()
    who = statement_parts(query.text)[0]
    return {stem(w) for name in query.names if name in who for w in words(name) if w not in STOPWORDS}


def _speaker_match(asked: set[str], cand: Candidate) -> float:
    """For "what did X say" (asked: the stems of X's names, see speaker_stems): the sentence's
    speaker (name and role) names X."""
    speaker = cand.speaker
    if not asked or speaker is None:
        return 0.0
    return 1.0 if asked & stem_set(speaker.name + " " + speaker.role) else 0.0


def feature_vector(cand: Candidate) -> np.ndarray:
    """The candidate's features in FEATURES order."""
    return np.array([cand.features.get(name, 0.0) for name in FEATURES], dtype=np.float64)
