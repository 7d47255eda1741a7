"""Time words in questions -> a date range and/or an ordering of the retrieved articles.

"latest" / "most recent" order newest first; "this week", "last month", "in March 2005",
"in 2004", "since May 2005", "before 2005" restrict the published date; "before/after the
<event>" uses the date of a configured event, else only orders oldest/newest first.
Relative words ("this week") count back from the archive's newest article, not from today,
so an archive of 2005 news still answers "this week".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Order = Literal["newest", "oldest"]

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"((?:19|20)\d\d)"
_PERIOD = rf"(?:{_MONTH}\s+{_YEAR}|{_YEAR})"
_NEWEST = re.compile(r"\b(latest|most recent(ly)?|newest|recently)\b", re.I)
_RELATIVE = re.compile(r"\b(today|yesterday|this (week|month|year)|last (week|month|year)|past (week|month|year))\b", re.I)
_BETWEEN = re.compile(rf"\bbetween\s+{_PERIOD}\s+and\s+{_PERIOD}", re.I)
_BOUND = re.compile(rf"\b(in|during|on|since|after|from|before|until|by)\s+(?:the\s+)?(?:\d{{1,2}}\s+)?{_PERIOD}", re.I)
_BARE = re.compile(rf"\b{_MONTH}\s+{_YEAR}\b", re.I)
_EVENT = re.compile(r"\b(before|after|since|prior to|following)\s+the\s+([a-z][\w\- ]{2,40}?)(?=[?.,;!]|$|\s+(?:and|or|but|did|was|were|is|has|had)\b)", re.I)


class TimeWordSettings(BaseModel):
    """How time words in questions become date filters."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="apply date filters/ordering from time words in questions")
    events: dict[str, date] = Field(
        default_factory=dict, description="named events for 'before/after the <event>', e.g. "
        "{\"invasion\": \"2022-02-24\"} (NEWSDESK_TIME__EVENTS as JSON)",
    )


@dataclass(frozen=True)
class TimeScope:
    """What the question's time words ask for."""

    since: date | None = None
    until: date | None = None
    order: Order | None = None
    phrase: str = ""

    def is_empty(self) -> bool:
        """True when the question has no time words we act on."""
        return not (self.since or self.until or self.order)


def parse_time_words(question: str, reference: date, events: dict[str, date] | None = None) -> TimeScope:
    """The date range / ordering a question's time words ask for.

    reference is "today" for relative words, e.g. reference=2005-03-10: "this week" ->
    2005-03-07..2005-03-10; "in March 2005" -> 2005-03-01..2005-03-31; "latest" -> newest first.
    """
    if match := _BETWEEN.search(question):
        first, second = _period(*match.group(1, 2, 3)), _period(*match.group(4, 5, 6))
        return TimeScope(first[0], second[1], phrase=match.group(0))
    if match := _RELATIVE.search(question):
        since, until = _relative(match.group(1).lower(), reference)
        return TimeScope(since, until, "newest", match.group(0))
    if match := _BOUND.search(question):
        word = match.group(1).lower()
        start, end = _period(*match.group(2, 3, 4))
        if word in ("since", "after", "from"):
            return TimeScope(since=start if word != "after" else end + timedelta(days=1), phrase=match.group(0))
        if word in ("before", "until", "by"):
            return TimeScope(until=end if word != "before" else start - timedelta(days=1), phrase=match.group(0))
        return TimeScope(start, end, phrase=match.group(0))
    if match := _BARE.search(question):
        month, year = match.group(1, 2)
        start, end = _period(month, year, None)
        return TimeScope(start, end, phrase=match.group(0))
    if match := _EVENT.search(question):
        word, event = match.group(1).lower(), match.group(2).strip().lower()
        when = _event_date(event, events or {})
        later = word in ("after", "since", "following")
        if when is None:
            return TimeScope(order="newest" if later else "oldest", phrase=match.group(0))
        if later:
            return TimeScope(since=when, order="oldest", phrase=match.group(0))
        return TimeScope(until=when - timedelta(days=1), order="newest", phrase=match.group(0))
    if match := _NEWEST.search(question):
        return TimeScope(order="newest", phrase=match.group(0))
    return TimeScope()


def _period(month: str | None, year_with_month: str | None, year: str | None) -> tuple[date, date]:
    if month and year_with_month:
        y, m = int(year_with_month), _MONTHS[month.lower().rstrip(".")]
        return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
    y = int(year or year_with_month or 0)
    return date(y, 1, 1), date(y, 12, 31)


def _relative(words: str, today: date) -> tuple[date, date]:
    if words == "today":
        return today, today
    if words == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    kind, unit = words.split()
    if kind == "past":
        days = {"week": 7, "month": 31, "year": 366}[unit]
        return today - timedelta(days=days), today
    if unit == "week":
        start = today - timedelta(days=today.weekday())
    elif unit == "month":
        start = today.replace(day=1)
    else:
        start = today.replace(month=1, day=1)
    if kind == "this":
        return start, today
    if unit == "week":
        return start - timedelta(days=7), start - timedelta(days=1)
    if unit == "month":
        previous = (start - timedelta(days=1)).replace(day=1)
        return previous, start - timedelta(days=1)
    return start.replace(year=start.year - 1), start - timedelta(days=1)


def _event_date(event: str, events: dict[str, date]) -> date | None:
    for name, when in events.items():
        key = name.lower().removeprefix("the ").strip()
        if key == event or key in event.split() or event in key:
            return when
    return None


def order_by_date(items: list, order: Order | None) -> list:
    """Items with a .published date, newest or oldest first (undated last, ranks kept on ties)."""
    if order is None:
        return list(items)
    dated = [i for i in items if i.published]
    undated = [i for i in items if not i.published]
    dated.sort(key=lambda i: i.published, reverse=order == "newest")
    return dated + undated


def with_dates(text: str, citations: list) -> str:
    """The answer text followed by the dates of the articles it cites, markers grouped by
    date, e.g. '... [1] ... [2] (Published 3 March 2005.)' when all share one date, or
    '... (Published: [1], [3] 3 March 2005; [2] 7 April 2005.)'; unchanged when none is dated."""
    by_date: dict[date, list[str]] = {}
    for citation in citations:
        if citation.published:
            by_date.setdefault(citation.published, []).append(f"[{citation.n}]")
    if not by_date:
        return text
    if len(by_date) == 1 and sum(map(len, by_date.values())) == len(citations):
        return f"{text} (Published {_human(next(iter(by_date)))}.)"
    groups = "; ".join(f"{', '.join(marks)} {_human(day)}" for day, marks in sorted(by_date.items()))
    return f"{text} (Published: {groups}.)"


def _human(value: date) -> str:
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"
