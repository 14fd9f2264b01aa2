"""The insights page's numbers for a period: per week and channel, the questions answered and
refused, emergencies by tier, hand-offs and their waiting, and ratings; the refused questions
grouped by meaning (the content team's to-do list); the passages that get thumbs down. Each
table also as CSV. Only masked text is ever read: the gateway masked it before it was stored."""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from store.insights import REFUSED, Handoff, InsightStore
from store.models import Feedback, InsightEvent

CHANNELS = {"web": "Nett", "teams": "Teams"}
DEFAULT_WEEKS = 8
MAX_DAYS = 400
# Mean e5 cosine to a group's questions from which a question joins it. e5's vectors are all close:
# paraphrases of worker-style questions score 0.85–0.96, different topics up to 0.88. Merging two
# topics hides one from the to-do list, splitting a topic only shows it twice; on 15 invented
# refused questions in 30 orders, 0.885 merged no topics (0.87 merged in 8).
SAME_MEANING = 0.885
EXAMPLES = 3


class Encoder(Protocol):
    """knowledge.loaders.SemanticEncoder: one normalised vector per text, cached per text."""

    def encode_one(self, text: str) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True)
class Period:
    """Whole days in local time, `first` to `last` inclusive."""

    first: date
    last: date

    @classmethod
    def default(cls, today: date) -> Period:
        """The last 8 weeks: from the Monday 7 weeks before this week's, to today."""
        return cls(today - timedelta(days=today.weekday(), weeks=DEFAULT_WEEKS - 1), today)

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period's start and end (exclusive) as aware datetimes."""
        start = datetime.combine(self.first, time(), zone)
        return start, datetime.combine(self.last + timedelta(days=1), time(), zone)

    def weeks(self) -> list[date]:
        """The Mondays of the weeks the period touches."""
        monday = self.first - timedelta(days=self.first.weekday())
        return [monday + timedelta(weeks=n) for n in range((self.last - monday).days // 7 + 1)]


def week_label(monday: date) -> str:
    """ "Uke 45 (2026)": ISO week number and its year."""
    year, week, _ = monday.isocalendar()
    return f"Uke {week} ({year})"


@dataclass
class WeekRow:
    """One week in one channel."""

    week: str
    channel: str
    answered: int = 0
    refused: int = 0
    certain: int = 0
    uncertain: int = 0
    handoffs: int = 0
    advisor_answered: int = 0
    median_wait_minutes: float | None = None
    max_wait_minutes: float | None = None
    thumbs_up: int = 0
    thumbs_down: int = 0
    waits: list[float] = field(default_factory=list, repr=False)

    def finish(self) -> None:
        """Waiting times in minutes (one decimal) of the hand-offs an advisor answered."""
        if self.waits:
            self.median_wait_minutes = round(statistics.median(self.waits), 1)
            self.max_wait_minutes = round(max(self.waits), 1)

    def counts(self) -> int:
        """Everything that happened in this week and channel."""
        return (
            self.answered
            + self.refused
            + self.certain
            + self.uncertain
            + self.handoffs
            + self.thumbs_up
            + self.thumbs_down
        )


@dataclass(frozen=True)
class QuestionGroup:
    """Refused questions of one meaning: how many, and a few of them (the most asked first)."""

    count: int
    examples: list[str]


@dataclass(frozen=True)
class DislikedPassage:
    """A quoted passage that got thumbs down, and the questions it was the answer to."""

    passage: str
    title: str
    down: int
    up: int
    questions: list[str]


@dataclass(frozen=True)
class Report:
    """Everything the page shows for one period."""

    first: date
    last: date
    grouping: str  # "semantic" (e5) or "exact" (same text)
    weeks: list[WeekRow]
    unanswered: list[QuestionGroup]
    disliked: list[DislikedPassage]

    @property
    def empty(self) -> bool:
        """Nothing happened in the period."""
        return not any(row.counts() for row in self.weeks)

    def as_json(self, retention_days: int) -> dict[str, Any]:
        """The page's data."""
        weeks = [{k: v for k, v in asdict(row).items() if k != "waits"} for row in self.weeks]
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "retention_days": retention_days,
            "empty": self.empty,
            "grouping": self.grouping,
            "weeks": weeks,
            "unanswered": [asdict(g) for g in self.unanswered],
            "disliked": [asdict(d) for d in self.disliked],
        }


def build_report(
    store: InsightStore,
    period: Period,
    zone: ZoneInfo,
    encoder: Encoder | None,
    titles: Callable[[str], str],
) -> Report:
    """Read the period's rows and count them. Blocking (database, e5): run in a thread."""
    start, end = period.bounds(zone)
    events, feedback = store.events(start, end), store.feedback(start, end)
    weeks = weekly(period, zone, events, store.handoffs(start, end), feedback)
    refused = [e.text for e in events if e.kind == REFUSED and e.text]
    groups = group_questions(refused, encoder)
    return Report(
        period.first, period.last, "semantic" if encoder else "exact", weeks, groups, disliked(feedback, titles)
    )


def weekly(
    period: Period,
    zone: ZoneInfo,
    events: Iterable[InsightEvent],
    handoffs: Iterable[Handoff],
    ratings: Iterable[Feedback],
) -> list[WeekRow]:
    """One row per week and channel, every week of the period (zeros included)."""
    rows = {
        (monday, channel): WeekRow(week_label(monday), channel) for monday in period.weeks() for channel in CHANNELS
    }

    def row(at: datetime, channel: str | None) -> WeekRow | None:
        local = at.astimezone(zone).date()
        return rows.get((local - timedelta(days=local.weekday()), channel or "web"))

    for event in events:
        if (target := row(event.at, event.channel)) is not None:
            setattr(target, event.kind, getattr(target, event.kind) + 1)
    for handoff in handoffs:
        if (target := row(handoff.at, handoff.channel)) is not None:
            target.handoffs += 1
            if handoff.answered_at is not None:
                target.advisor_answered += 1
                target.waits.append((handoff.answered_at - handoff.at).total_seconds() / 60)
    for rating in ratings:
        if (target := row(rating.at, rating.channel)) is not None:
            if rating.rating == "up":
                target.thumbs_up += 1
            else:
                target.thumbs_down += 1
    for target in rows.values():
        target.finish()
    return list(rows.values())


def _plain(text: str) -> str:
    """The form two questions must share to count as the same text."""
    return re.sub(r"\s+", " ", text).strip(" ?.!").casefold()


def group_questions(texts: Sequence[str], encoder: Encoder | None) -> list[QuestionGroup]:
    """Group questions by meaning, largest group first, the most asked wording leading each.
    Without the encoder, only the same text (ignoring case, spaces and end punctuation) groups."""
    wordings: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        wordings[_plain(text)][text] += 1
    distinct = sorted(wordings, key=lambda key: (-sum(wordings[key].values()), key))
    members = _by_meaning(distinct, encoder) if encoder is not None else [[key] for key in distinct]
    groups = []
    for keys in members:
        written = Counter[str]()
        for key in keys:
            written.update(wordings[key])
        groups.append(QuestionGroup(sum(written.values()), [text for text, _ in written.most_common(EXAMPLES)]))
    return sorted(groups, key=lambda g: (-g.count, g.examples[0]))


def _by_meaning(keys: Sequence[str], encoder: Encoder) -> list[list[str]]:
    """Greedy average linkage in the given order: each text joins the group whose members are on
    average nearest, if at least SAME_MEANING, else starts a group. (A group's mean vector would
    draw ever more texts in as the group grows.)"""
    members: list[list[str]] = []
    vectors: list[list[npt.NDArray[np.float32]]] = []
    for key in keys:
        vector = encoder.encode_one(key)
        closeness = [float(np.mean(np.stack(group) @ vector)) for group in vectors]
        best = int(np.argmax(closeness)) if closeness else -1
        if best < 0 or closeness[best] < SAME_MEANING:
            members.append([key])
            vectors.append([vector])
        else:
            members[best].append(key)
            vectors[best].append(vector)
    return members


def disliked(ratings: Iterable[Feedback], titles: Callable[[str], str]) -> list[DislikedPassage]:
    """Per quoted passage (the first source: the one the answer quotes) with a thumbs down, the
    downs and ups and the questions that got the downs; most downs first."""
    down: Counter[str] = Counter()
    up: Counter[str] = Counter()
    questions: dict[str, list[str]] = defaultdict(list)
    for rating in ratings:
        if not rating.sources:
            continue
        passage = rating.sources[0]
        if rating.rating == "up":
            up[passage] += 1
            continue
        down[passage] += 1
        if rating.question and rating.question not in questions[passage]:
            questions[passage].append(rating.question)
    return [
        DislikedPassage(passage, titles(passage), count, up[passage], questions[passage])
        for passage, count in sorted(down.items(), key=lambda item: (-item[1], item[0]))
    ]


# Each table's CSV: Norwegian headers and the cells of one row.
CSV_TABLES: dict[str, tuple[tuple[str, ...], Callable[[Report], list[list[Any]]]]] = {
    "uker": (
        (
            "Uke",
            "Kanal",
            "Besvarte spørsmål",
            "Avviste spørsmål",
            "Akutt fare (sikker)",
            "Akutt fare (usikker)",
            "Overføringer til rådgiver",
            "Svart av rådgiver",
            "Median ventetid (min)",
            "Lengste ventetid (min)",
            "Tommel opp",
            "Tommel ned",
        ),
        lambda report: [
            [
                r.week,
                CHANNELS[r.channel],
                r.answered,
                r.refused,
                r.certain,
                r.uncertain,
                r.handoffs,
                r.advisor_answered,
                _number(r.median_wait_minutes),
                _number(r.max_wait_minutes),
                r.thumbs_up,
                r.thumbs_down,
            ]
            for r in report.weeks
        ],
    ),
    "ubesvarte": (
        ("Antall", "Spørsmål", "Andre formuleringer"),
        lambda report: [[g.count, g.examples[0], "\n".join(g.examples[1:])] for g in report.unanswered],
    ),
    "tommel-ned": (
        ("Avsnitt", "Tittel", "Tommel ned", "Tommel opp", "Spørsmål"),
        lambda report: [[d.passage, d.title, d.down, d.up, "\n".join(d.questions)] for d in report.disliked],
    ),
}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _number(value: float | None) -> str:
    """A decimal number as Norwegian spreadsheets read it (comma), or empty."""
    return "" if value is None else f"{value:g}".replace(".", ",")


def _inert(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula ("=HYPERLINK(...)", "+", "-", "@") gets a leading
    apostrophe: the questions are typed by anyone who can reach the chat (CSV injection)."""
    return f"'{cell}" if isinstance(cell, str) and cell[:1] in FORMULA_STARTS else cell


def to_csv(report: Report, table: str) -> str:
    """One table as CSV (RFC 4180 quoting, comma-separated), with a BOM so Excel reads æøå."""
    headers, rows = CSV_TABLES[table]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([_inert(cell) for cell in row] for row in rows(report))
    return "\ufeff" + out.getvalue()
