"""A realistic application for the emulator: many live events and rooms, each with 1-3 recordings,
a deterministic mix of statuses and ages.

Mostly completed recordings from the last nine days; a few that stopped 11.5-13.9 days ago (at risk
under a 3-day warning: Sendbird deletes them at 14 days); a few older than 14 days (expired: gone
from the API); and some not copyable yet or ever (``recording``, ``paused``, ``ready``, ``uploading``,
``failed``). The same ``seed`` and application id always give the same ids, times and sizes.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from localdev.sendbird_emulator.state import Recording

if TYPE_CHECKING:
    from localdev.sendbird_emulator.server import SendbirdEmulator

DEFAULT_SEED_BYTES = 64 * 1024  # small: a test copies dozens of them in a second or two
MAX_SEED_PARENTS = 10_000
DAY = 86_400.0
# Age (days since the parent's last recording stopped) per category; a parent's recordings span
# at most ~4.25 hours (0.18 days), so every recording of a parent stays inside its category.
AGES = {"recent": (0.02, 9.0), "at_risk": (11.5, 13.7), "expired": (14.2, 20.0)}
EXPIRED_SHARE, AT_RISK_SHARE, SPECIAL_SHARE = 0.08, 0.12, 0.2
NOT_STOPPED = frozenset({"recording", "paused", "ready"})
# The statuses given to the last recording of some recent parents, in turn, so each one appears.
SPECIALS = {
    "live": ("recording", "uploading", "failed", "ready", "paused"),
    "room": ("recording", "uploading", "failed"),
}


@dataclass(frozen=True)
class _Planned:
    recording_id: str
    status: str
    stopped_age_s: float | None  # None: not stopped (started duration_s before now)
    duration_s: float
    byte_size: int


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _categories(rng: random.Random, count: int) -> list[str]:
    expired, at_risk = round(count * EXPIRED_SHARE), round(count * AT_RISK_SHARE)
    categories = ["expired"] * expired + ["at_risk"] * at_risk
    categories += ["recent"] * (count - len(categories))
    rng.shuffle(categories)
    return categories


def _plan_parent(rng: random.Random, category: str, special: str | None, byte_size: int) -> list[_Planned]:
    """The recordings of one parent, oldest first; ``special`` is the last one's status, if any."""
    count = rng.randint(1, 3)
    low, high = AGES[category]
    age = rng.uniform(low, high) * DAY
    if special == "uploading":
        age = rng.uniform(120, 1200)  # stopped minutes ago, the upload still running
    elif special in NOT_STOPPED:
        age = 0.0  # going on now: the ones before it stopped earlier today
    planned: list[_Planned] = []
    for index in range(count):  # newest first, then reversed
        duration = rng.uniform(5, 45) * 60
        size = rng.randint(max(1, byte_size // 2), byte_size) if byte_size > 0 else 0
        status = "completed"
        if index == 0 and special is not None:
            status = special
        elif rng.random() < 0.04:
            status = "failed"
        stopped = None if status in NOT_STOPPED else age
        planned.append(_Planned(_uuid(rng), status, stopped, duration, size))
        age += duration + rng.uniform(10, 60) * 60  # the one before stopped 10-60 min before this began
    return planned[::-1]


def seed_application(  # noqa: PLR0913 - all keyword-only knobs of one seeding
    emulator: SendbirdEmulator,
    app_id: str,
    *,
    events: int = 40,
    rooms: int = 20,
    seed: int = 0,
    byte_size: int = DEFAULT_SEED_BYTES,
    now: float | None = None,
) -> list[Recording]:
    """Add ``events`` live events and ``rooms`` rooms with 1-3 recordings each to ``app_id`` (which
    must exist), oldest first, and return every recording added (expired ones too).

    Sizes vary between half of ``byte_size`` and ``byte_size``; durations are 5-45 minutes
    whatever the size. Times are relative to ``now`` (epoch seconds; default the emulator's clock).
    """
    for name, value in (("events", events), ("rooms", rooms)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED_PARENTS:
            raise ValueError(f"{name} must be an integer between 0 and {MAX_SEED_PARENTS}, got {value!r}")
    if isinstance(byte_size, bool) or not isinstance(byte_size, int) or byte_size < 0:
        raise ValueError(f"byte_size must be an integer >= 0, got {byte_size!r}")
    rng = random.Random(f"{seed}:{app_id}")  # noqa: S311 - test data, not crypto; str seeds are stable
    now = emulator.clock() if now is None else now
    parents: list[tuple[str, str, float, list[_Planned]]] = []  # kind, id, created before, recordings
    for kind, count in (("live", events), ("room", rooms)):
        categories = _categories(rng, count)
        recent = [i for i, c in enumerate(categories) if c == "recent"]
        chosen = sorted(rng.sample(recent, round(len(recent) * SPECIAL_SHARE)))
        specials = {index: SPECIALS[kind][n % len(SPECIALS[kind])] for n, index in enumerate(chosen)}
        for index, category in enumerate(categories):
            parent_id, lead = _uuid(rng), rng.uniform(1, 10) * 60
            planned = _plan_parent(rng, category, specials.get(index), byte_size)
            parents.append((kind, parent_id, lead, planned))

    def first_start(planned: list[_Planned]) -> float:
        return now - (planned[0].stopped_age_s or 0.0) - planned[0].duration_s

    added: list[Recording] = []
    for kind, parent_id, lead, planned in sorted(parents, key=lambda p: first_start(p[3])):  # oldest first
        emulator.add_parent(app_id, kind, parent_id, created_at=first_start(planned) - lead)
        for item in planned:
            added.append(
                emulator.add_recording(
                    app_id,
                    item.recording_id,
                    status=item.status,
                    byte_size=item.byte_size,
                    kind=kind,
                    parent_id=parent_id,
                    stopped_at=None if item.stopped_age_s is None else now - item.stopped_age_s,
                    duration_s=item.duration_s,
                )
            )
    return added


def seed_history(
    emulator: SendbirdEmulator,
    app_id: str,
    *,
    events: int,
    per_day: int = 2000,
    now: float | None = None,
    byte_size: int = DEFAULT_SEED_BYTES,
) -> list[tuple[str, str]]:
    """Add ``events`` ended live events, ``per_day`` a day going back from 15 days before ``now``,
    each with one completed recording that stopped half an hour after it began: all past Sendbird's
    two weeks, so their recordings are gone from the listings (an application's years of history).
    Bulk-added (tens of thousands in a second); returns ``(live_event_id, recording_id)`` pairs."""
    if isinstance(events, bool) or not isinstance(events, int) or not 0 <= events <= MAX_HISTORY_EVENTS:
        raise ValueError(f"events must be an integer between 0 and {MAX_HISTORY_EVENTS}, got {events!r}")
    if isinstance(per_day, bool) or not isinstance(per_day, int) or per_day < 1:
        raise ValueError(f"per_day must be an integer >= 1, got {per_day!r}")
    now = emulator.clock() if now is None else now
    newest = now - HISTORY_AGE_DAYS * DAY
    entries: list[tuple[str, str, float, float, int]] = []
    for n in range(events):
        started = newest - (n / per_day) * DAY - HISTORY_EVENT_S
        entries.append(
            (f"history-{n:07d}", f"history-rec-{n:07d}", started, started + HISTORY_EVENT_S, byte_size)
        )
    emulator.add_history(app_id, "live", entries)
    return [(parent, recording) for parent, recording, *_ in entries]


MAX_HISTORY_EVENTS = 2_000_000
HISTORY_AGE_DAYS = 15.0  # the newest history event stopped just past Sendbird's two weeks
HISTORY_EVENT_S = 1800.0
