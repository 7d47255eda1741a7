"""Extractive answers (the default, no language model): for each part of the question, the
sentence of the retrieved passages that holds what is asked, cited verbatim — with the sentence
that names its speaker or its subject when that is another one — or, when the calibrated answer
model says the articles do not hold it, a plain statement of that with the closest sentences as
related evidence. Claims the articles attribute to different parties are given side by side,
each with who makes it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from assistant.answerers.base import Retrieved
from assistant.calibration import (
    MODEL_FILE,
    AnswerModel,
    answer_features,
    lacks_asked_value,
    load_answer_model,
)
from assistant.evidence import ArticleText, Candidate, Evidence
from assistant.features import missing_entities, score_features, speaker_stems
from assistant.mentions import MentionTagger
from assistant.phrasing import not_stated
from assistant.query import Query
from assistant.reranker import Reranker
from assistant.settings import AnswerSettings
from assistant.slots import Slot, statement_parts
from assistant.text import content_stems, stem_set
from assistant.timewords import with_dates
from assistant.types import (
    ABSTENTION,
    AbstainReason,
    Answer,
    Citation,
    CitationRole,
    PartAnswer,
    Passage,
)
from index.embedding import TokenVectors

EmbedTokens = Callable[[list[str]], list[TokenVectors]]
RERANKER_WEIGHT = 0.5
"""With a cross-encoder configured, a sentence's score is this share its relevance (0..1) and
the rest the sentence model's probability."""

_FIGURE = re.compile(r"\d|\b[A-Z][a-z]+\s+[A-Z]")
_DISPUTE = re.compile(r"\b(claim|claims|claimed|accuse|accuses|accused|allege|alleges|alleged|deny|denies|denied|"
                      r"blame|blames|blamed|insist|insists|insisted|dispute|disputes|disputed|false flag)\b", re.I)


@dataclass
class Chosen:
    """A sentence the answer cites, and in which role."""

    article: ArticleText
    index: int
    passage: Passage
    role: CitationRole
    score: float = 0.0
    value: str | None = None

    @property
    def key(self) -> tuple[str, int]:
        """(article id, sentence number)."""
        return self.article.article_id, self.index


@dataclass
class PartChoice:
    """What the extractive answerer decided for one part."""

    query: Query
    sentences: list[Chosen] = field(default_factory=list)
    abstained: bool = False
    reason: AbstainReason | None = None
    value: str | None = None
    confidence: float = 0.0
    contested: bool = False


class ExtractiveAnswerer:
    """Answers by choosing and citing sentences; see the module docstring."""

    mode = "extractive"

    def __init__(
        self, embed_tokens: EmbedTokens, settings: AnswerSettings, tagger: MentionTagger | None = None,
        model: AnswerModel | None = None,
    ) -> None:
        self.embed_tokens = embed_tokens
        self.settings = settings
        self.tagger = tagger or MentionTagger()
        self.model = model or load_answer_model(settings.model_file or MODEL_FILE)
        self.reranker = Reranker(settings.reranker) if settings.reranker else None

    def stream(self, query: Query, found: Sequence[Retrieved]) -> Iterator[str | Answer]:
        """Yield the answer's sentences, then the Answer."""
        choices = [self.choose(part) for part in found]
        answer = compose(query, choices)
        pieces = [p for p in re.split(r"(?<=\]) (?=\S)", answer.text) if p]
        for i, piece in enumerate(pieces):
            yield piece if i == 0 else " " + piece
        yield answer

    # --- choosing -----------------------------------------------------------------------
    def choose(self, part: Retrieved) -> PartChoice:
        """The cited sentences of one part, or why it abstains."""
        query = part.query
        if _names_nothing_found(query, part):
            return PartChoice(query, abstained=True, reason="not_found")
        evidence = Evidence(part.passages, part.bodies, self.tagger)
        ranked = self.rank(query, evidence, part)
        if not ranked:
            return PartChoice(query, abstained=True, reason="not_found")
        best = ranked[0]
        second = next((c for c in ranked[1:] if c.key != best.key), None)
        articles = list(dict.fromkeys(p.article_id for p in part.passages))
        agreement = 1.0 / (1 + articles.index(best.article.article_id)) if best.article.article_id in articles else 0.0
        values = answer_features(best.features, best.score, second.score if second else 0.0, agreement)
        confidence = self.model.answer.probability(values)
        asked_speaker = speaker_stems(query)
        if asked_speaker:  # "what did X say about Y": X's own words about Y, or not stated
            statements, disputed = self._statements(query, ranked, asked_speaker)
            if not statements:
                return self._abstain(query, ranked, confidence)
            return PartChoice(query, statements, value=statements[0].value, confidence=confidence, contested=disputed)
        contested = self._contested(query, ranked, evidence)
        if contested:
            return PartChoice(query, contested, value=None, confidence=confidence, contested=True)
        if confidence < self.model.threshold or lacks_asked_value(best.features):
            return self._abstain(query, ranked, confidence)
        chosen = [Chosen(best.article, best.index, best.passage, "answer", best.score, best.value.text if best.value else None)]
        chosen += self._context(best)
        chosen += self._runners_up(ranked, best)
        return PartChoice(query, chosen, value=chosen[0].value, confidence=confidence)

    def rank(self, query: Query, evidence: Evidence, part: Retrieved) -> list[Candidate]:
        """Candidates of a part, best first, scored by the sentence model."""
        candidates = evidence.candidates
        if not candidates:
            return []
        question_stems = set(query.stems)
        names = query.name_stems

        idf = part.idf or {}

        def cheap(c: Candidate) -> float:
            """Without embeddings or entities: the question's words in the sentence (rare ones
            weigh more), a figure or name in it, and the passage's rank."""
            own = stem_set(c.text)
            words_in = sum(idf.get(s, 1.0) for s in own & question_stems) / (1.0 + sum(idf.get(s, 1.0) for s in question_stems))
            named = len((own | stem_set(c.article.title)) & names) / (1 + len(names))
            figure = 0.3 if _FIGURE.search(c.text) else 0.0
            return words_in + 0.5 * named + figure + 0.5 / c.passage.rank

        shortlist = sorted(candidates, key=cheap, reverse=True)[: self.settings.candidates]
        texts = list(dict.fromkeys(c.text for c in shortlist))
        # entities (spaCy), then embeddings (torch): one after the other is faster than side by
        # side, where spaCy's thread takes a core from torch's two intra-op threads
        evidence.tag(shortlist)
        embedded = self.embed_tokens(texts)
        score_features(query, shortlist, part.question, dict(zip(texts, embedded, strict=True)), part.idf)
        for cand in shortlist:
            cand.score = self.model.sentence.probability(cand.features)
        if self.reranker is not None:
            relevance = self.reranker.scores(query.text, [c.text for c in shortlist])
            for cand, r in zip(shortlist, relevance, strict=True):
                cand.score = (1 - RERANKER_WEIGHT) * cand.score + RERANKER_WEIGHT * r
        return sorted(shortlist, key=lambda c: -c.score)

    def _abstain(self, query: Query, ranked: list[Candidate], confidence: float) -> PartChoice:
        """Not stated (articles about the subject lack the fact: related sentences shown) or not found."""
        best = ranked[0]
        about_subject = best.features.get("names_art", 0.0) >= 0.5 and best.features.get("ctx", 0.0) >= self.settings.related_min_coverage
        if not about_subject:
            return PartChoice(query, abstained=True, reason="not_found", confidence=confidence)
        related: list[Chosen] = []
        for cand in ranked:
            if len(related) >= self.settings.max_related:
                break
            if all(_distinct(cand.text, r.article.text(r.index)) for r in related):
                related.append(Chosen(cand.article, cand.index, cand.passage, "related", cand.score))
        return PartChoice(query, related, abstained=True, reason="not_stated", confidence=confidence)

    def _context(self, best: Candidate) -> list[Chosen]:
        """The sentence naming the speaker (or holding the value) when it is another one."""
        extra: list[Chosen] = []
        for index in (best.value_sentence, best.speaker.sentence if best.speaker else None):
            if index is not None and index != best.index and all(c.index != index for c in extra):
                extra.append(Chosen(best.article, index, best.passage, "context"))
        return extra[:1]

    def _runners_up(self, ranked: list[Candidate], best: Candidate) -> list[Chosen]:
        """Further answer sentences while the sentence model cannot tell them from the best: the
        n-th must score at least extra_sentence_ratios[n-1] of the best and say something else."""
        taken = [best]
        for ratio in self.settings.extra_sentence_ratios[: self.settings.max_sentences - 1]:
            cand = next((c for c in ranked if all(c.key != t.key and _distinct(c.text, t.text) for t in taken)), None)
            if cand is None or cand.score < ratio * best.score:
                break
            taken.append(cand)
        return [Chosen(c.article, c.index, c.passage, "answer", c.score, c.value.text if c.value else None) for c in taken[1:]]

    def _contested(self, query: Query, ranked: list[Candidate], evidence: Evidence) -> list[Chosen]:
        """Claims about the asked-for fact that an article attributes to different parties
        ("Kyiv has claimed the rebels fired ..." / "They have accused Ukrainian government forces
        of opening fire ..."): one of the best sentences is such a claim, and its article holds
        another one, by someone else, about the same thing (sharing the question's words)."""
        if query.slot not in {Slot.PERSON, Slot.OTHER, Slot.STATEMENT, Slot.REASON} or query.asked.speaker_question:
            return []
        anchor = next((c for c in ranked[:3] if _is_claim(c)), None)
        if anchor is None:
            return []
        article, asked = anchor.article, set(query.stems)
        others = [
            Candidate(article, i, anchor.passage) for i in range(len(article.spans))
            if i != anchor.index and not article.crosshead[i] and _DISPUTE.search(article.text(i))
            and asked & stem_set(article.text(i))
        ]
        evidence.tag(others)
        claims: dict[str, Candidate] = {_party(anchor): anchor}
        for cand in others:
            if _is_claim(cand):
                claims.setdefault(_party(cand), cand)
        if len(claims) < 2:
            return []
        chosen: list[Chosen] = []
        for cand in sorted(list(claims.values())[: self.settings.max_sentences], key=lambda c: c.index):
            speaker = cand.speaker
            if speaker is not None and speaker.sentence != cand.index:
                chosen.append(Chosen(cand.article, speaker.sentence, cand.passage, "context"))
            chosen.append(Chosen(cand.article, cand.index, cand.passage, "answer", cand.score, speaker.name if speaker else None))
        return chosen

    def _statements(self, query: Query, ranked: list[Candidate], asked: set[str]) -> tuple[list[Chosen], bool]:
        """"What did X say about Y": the sentences whose speaker is X (name or role) that say the
        most about Y (its words after the speech verb), best first; a second one only when it
        names something of Y itself. None when X says nothing, or nothing about Y even counting
        the sentence's neighbours and its article's title: someone else's words, or X's on
        another subject, are not the answer. When someone else in the same article disputes X's
        claims about Y ("the minister said Kremlin claims troops are leaving are inaccurate"),
        that sentence comes too, and the answer is contested (True). asked: the stems of X's names."""
        topic = set(content_stems(statement_parts(query.text)[1]))

        def about(cand: Candidate, *context: str) -> float:
            return len(topic & stem_set(" ".join((cand.text, *context)))) / len(topic) if topic else 1.0

        said = [c for c in ranked if c.features.get("speaker_match") and c.speaker is not None]
        said = [c for c in said if about(c, c.neighbour(-1), c.neighbour(1), c.article.title) > 0]
        said = sorted(said, key=lambda c: -about(c))
        said = said[:1] + [c for c in said[1:2] if about(c) > 0]
        if not said:
            return [], False
        rival = next((c for c in ranked if c.article is said[0].article and c.speaker is not None
                      and not c.features.get("speaker_match") and asked & stem_set(c.text)
                      and _DISPUTE.search(c.text) and about(c) > 0), None)
        chosen: list[Chosen] = []
        for cand in said + ([rival] if rival else []):
            if cand.speaker is not None and cand.speaker.sentence != cand.index and all(c.index != cand.speaker.sentence for c in chosen):
                chosen.append(Chosen(cand.article, cand.speaker.sentence, cand.passage, "context"))
            chosen.append(Chosen(cand.article, cand.index, cand.passage, "answer", cand.score, cand.speaker.name if cand.speaker else None))
        return chosen, rival is not None


def _names_nothing_found(query: Query, part: Retrieved, top: int = 3) -> bool:
    """The question names nothing but question words, or names people, organisations or places
    that the best articles all lack: the archive holds nothing about what is asked ("David
    Cameron" in 2005's news)."""
    if not query.stems:  # "What is it?": nothing asked about
        return True
    if not query.entities:
        return False
    articles = list(dict.fromkeys(p.article_id for p in part.passages))[:top]
    found = set().union(*(stem_set(p.title) for p in part.passages)) if part.passages else set()
    for article_id in articles:
        found |= stem_set(part.bodies.get(article_id, ""))
    return len(missing_entities(query, found)) == len(query.entities)


def _is_claim(cand: Candidate) -> bool:
    """A sentence that attributes a disputed claim to someone."""
    return cand.speaker is not None and bool(_DISPUTE.search(cand.text))


def _party(cand: Candidate) -> str:
    """Who makes a claim, as a key (the stems of the speaker's name)."""
    return " ".join(sorted(stem_set(cand.speaker.name))) if cand.speaker else ""


def _distinct(a: str, b: str) -> bool:
    sa, sb = stem_set(a), stem_set(b)
    return len(sa & sb) / max(1, min(len(sa), len(sb))) < 0.7


# --- composing ------------------------------------------------------------------------------
def compose(query: Query, choices: Sequence[PartChoice]) -> Answer:
    """The Answer of one or more parts: text with [n] after every cited sentence."""
    numbers: dict[tuple[str, int], int] = {}
    citations: list[Citation] = []
    part_answers: list[PartAnswer] = []
    texts: list[str] = []
    for choice in choices:
        marks: list[int] = []
        pieces: list[str] = []
        for chosen in _reading_order(choice.sentences):
            n = numbers.get(chosen.key)
            if n in marks:
                continue  # a sentence both context and answer is cited once
            if n is None:
                n = numbers[chosen.key] = len(citations) + 1
                citations.append(_citation(chosen, n))
            marks.append(n)
            pieces.append(f"{chosen.article.text(chosen.index)} [{n}]")
        if choice.abstained and choice.reason == "not_stated":
            text = not_stated(choice.query.text) + (" Related: " + " ".join(pieces) if pieces else "")
        elif choice.abstained:
            text = ABSTENTION if len(choices) == 1 else not_stated(choice.query.text)
        else:
            text = ("Accounts differ: " if choice.contested else "") + " ".join(pieces)
        texts.append(text)
        part_answers.append(PartAnswer(
            question=choice.query.text, text=text, abstained=choice.abstained, reason=choice.reason,
            citations=marks, value=choice.value, confidence=round(choice.confidence, 4),
        ))
    abstained = all(c.abstained for c in choices)
    reason: AbstainReason | None = None
    if abstained:
        reason = "not_found" if all(c.reason == "not_found" for c in choices) else "not_stated"
    text = "\n\n".join(texts)
    answered = [c for c in citations if c.role != "related"]
    if answered and not abstained:
        text = with_dates(text, answered)
    return Answer(
        question=query.text, text=text, abstained=abstained, reason=reason, citations=citations,
        parts=part_answers if len(choices) > 1 else [], contested=any(c.contested for c in choices),
        confidence=round(min(c.confidence for c in choices), 4) if choices else None,
    )


def _reading_order(sentences: list[Chosen]) -> list[Chosen]:
    """A context sentence that comes first in its article is read first."""
    ordered: list[Chosen] = []
    for chosen in sentences:
        if chosen.role == "context" and ordered and ordered[-1].article is chosen.article and chosen.index < ordered[-1].index:
            ordered.insert(len(ordered) - 1, chosen)
        else:
            ordered.append(chosen)
    return ordered


_REF_FIELDS = ("article_id", "source", "title", "outlet", "published", "url", "topic", "also_in", "also_reported_by")


def _citation(chosen: Chosen, n: int) -> Citation:
    start, end = chosen.article.spans[chosen.index]
    return Citation(
        n=n, quote=chosen.article.body[start:end], start=start, end=end, passage_rank=chosen.passage.rank,
        score=round(chosen.score, 4), role=chosen.role, value=chosen.value,
        **chosen.passage.model_dump(include=set(_REF_FIELDS)),
    )
