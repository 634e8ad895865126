"""Business-time arithmetic: pure functions over a calendar value object (no database).

A calendar is a timezone, weekly opening spans (minute precision, several a day, ``end`` 00:00 =
midnight at the end of the day, ``end`` before ``start`` = an overnight span into the next day)
and closed dates (a country's public holidays from the ``holidays`` package plus custom dates).
For each local date the open spans are converted to UTC instants once and cached, so DST days
(23 or 25 hours) and midnight boundaries come out exact and long ranges cost one step per day.
A holiday closes its whole local date, including the tail of an overnight span from the eve.
``None`` as a calendar means 24/7.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

MINUTES_PER_DAY = 24 * 60
# A calendar with no opening hour in this many days cannot reach a deadline.
MAX_SEARCH_DAYS = 3 * 366

Interval = tuple[float, float]


@dataclass(frozen=True)
class Span:
    """An opening span on a weekday, in minutes after local midnight (``end`` up to 1440)."""

    weekday: int
    start: int
    end: int

    @classmethod
    def from_times(cls, weekday: int, start: time, end: time) -> Span:
        start_min = start.hour * 60 + start.minute
        end_min = end.hour * 60 + end.minute
        if end_min == 0:
            end_min = MINUTES_PER_DAY
        return cls(weekday=weekday, start=start_min, end=end_min)

    @property
    def overnight(self) -> bool:
        return self.end <= self.start


@lru_cache(maxsize=512)
def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    found = holidays_lib.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(found.keys())


@dataclass(eq=False)
class BusinessCalendar:
    """Opening hours in a timezone with closed dates; the value object behind a ``Calendar``."""

    timezone: str
    spans: tuple[Span, ...]
    holiday_country: str = ""
    holiday_subdivision: str = ""
    closed_dates: frozenset[date] = frozenset()
    _tz: ZoneInfo = field(init=False, repr=False)
    _local: dict[int, tuple[tuple[int, int], ...]] = field(init=False, repr=False)
    _days: dict[int, tuple[Interval, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._tz = ZoneInfo(self.timezone)
        # Local open minutes per weekday: each span's own day plus overnight tails.
        per_day: dict[int, list[tuple[int, int]]] = {w: [] for w in range(7)}
        for span in self.spans:
            if span.overnight:
                per_day[span.weekday].append((span.start, MINUTES_PER_DAY))
                if span.end > 0:
                    per_day[(span.weekday + 1) % 7].append((0, span.end))
            else:
                per_day[span.weekday].append((span.start, span.end))
        self._local = {w: _merge_minutes(ranges) for w, ranges in per_day.items()}
        self._days = {}

    @classmethod
    def build(
        cls,
        *,
        timezone: str,
        hours: Iterable[tuple[int, time, time]],
        holiday_country: str = "",
        holiday_subdivision: str = "",
        closed_dates: Iterable[date] = (),
    ) -> BusinessCalendar:
        return cls(
            timezone=timezone,
            spans=tuple(Span.from_times(w, s, e) for w, s, e in hours),
            holiday_country=holiday_country,
            holiday_subdivision=holiday_subdivision,
            closed_dates=frozenset(closed_dates),
        )

    @property
    def tzinfo(self) -> ZoneInfo:
        return self._tz

    def is_closed(self, day: date) -> bool:
        if day in self.closed_dates:
            return True
        if self.holiday_country:
            return day in _public_holidays(self.holiday_country, self.holiday_subdivision, day.year)
        return False

    def day_intervals(self, ordinal: int) -> tuple[Interval, ...]:
        """Open intervals of one local date (by ordinal) as UTC epoch seconds, sorted."""
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        day = date.fromordinal(ordinal)
        intervals: list[Interval] = []
        if not self.is_closed(day):
            for start, end in self._local[day.weekday()]:
                a = self._local_epoch(day, start)
                b = self._local_epoch(day, end)
                if b > a:
                    intervals.append((a, b))
        result = tuple(intervals)
        self._days[ordinal] = result
        return result

    def _local_epoch(self, day: date, minutes: int) -> float:
        if minutes >= MINUTES_PER_DAY:
            day, minutes = day + timedelta(days=1), minutes - MINUTES_PER_DAY
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self._tz)
        return local.timestamp()

    def local_ordinal(self, epoch: float) -> int:
        return datetime.fromtimestamp(epoch, self._tz).toordinal()


def _merge_minutes(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _as_aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("business time needs timezone-aware datetimes")
    return value


def business_seconds_between(cal: BusinessCalendar | None, start: datetime, end: datetime) -> float:
    """Open seconds in ``[start, end)``; 0 when ``end`` is not after ``start``."""
    s = _as_aware(start).timestamp()
    e = _as_aware(end).timestamp()
    if e <= s:
        return 0.0
    if cal is None:
        return e - s
    total = 0.0
    last = cal.local_ordinal(e)
    for ordinal in range(cal.local_ordinal(s), last + 1):
        for a, b in cal.day_intervals(ordinal):
            lo = a if a > s else s
            hi = b if b < e else e
            if hi > lo:
                total += hi - lo
    return total


def add_business_seconds(cal: BusinessCalendar | None, start: datetime, seconds: float) -> datetime:
    """The UTC instant at which ``seconds`` open seconds have passed after ``start``."""
    s = _as_aware(start).timestamp()
    if seconds <= 0:
        return datetime.fromtimestamp(s, UTC)
    if cal is None:
        return datetime.fromtimestamp(s + seconds, UTC)
    remaining = float(seconds)
    first = cal.local_ordinal(s)
    for ordinal in range(first, first + MAX_SEARCH_DAYS):
        for a, b in cal.day_intervals(ordinal):
            if b <= s:
                continue
            lo = a if a > s else s
            available = b - lo
            if remaining <= available:
                return datetime.fromtimestamp(lo + remaining, UTC)
            remaining -= available
    raise ValueError(f"calendar has no opening hours within {MAX_SEARCH_DAYS} days")


def subtract_business_seconds(
    cal: BusinessCalendar | None, end: datetime, seconds: float
) -> datetime:
    """The earliest UTC instant with ``seconds`` open seconds between it and ``end``: where a
    deadline that far behind fell. Closed time right before it is skipped (0 seconds before a
    Saturday is Friday's close: the clock stopped counting there); negative ``seconds`` give
    ``end``."""
    e = _as_aware(end).timestamp()
    if seconds < 0:
        return datetime.fromtimestamp(e, UTC)
    if cal is None:
        return datetime.fromtimestamp(e - seconds, UTC)
    remaining = float(seconds)
    last = cal.local_ordinal(e)
    for ordinal in range(last, last - MAX_SEARCH_DAYS, -1):
        for a, b in reversed(cal.day_intervals(ordinal)):
            if a >= e:
                continue
            hi = b if b < e else e
            available = hi - a
            # Strictly inside: landing on an interval's start goes on to the previous close.
            if remaining < available:
                return datetime.fromtimestamp(hi - remaining, UTC)
            remaining -= available
    raise ValueError(f"calendar has no opening hours within {MAX_SEARCH_DAYS} days")


def business_instant(cal: BusinessCalendar | None, start: datetime, seconds: float) -> datetime:
    """The UTC instant ``seconds`` open seconds after ``start``, or before it when negative or
    zero: a deadline already reached lies where it fell, not at ``start``."""
    if seconds <= 0:
        return subtract_business_seconds(cal, start, -seconds)
    return add_business_seconds(cal, start, seconds)
