"""What the emulated applications hold: applications, live events and rooms, their recordings.

Thread-safe and free of HTTP; every question that depends on time takes ``now`` (epoch seconds), so
expiry follows whatever clock the server is given. Listings show parents newest first and page with
an opaque token holding the last parent's sort key, which stays right for thousands of parents and
when parents are added between pages.
"""

from __future__ import annotations

import bisect
import math
import threading
from dataclasses import replace
from typing import Any

from localdev.sendbird_emulator.filters import ParentFilter
from localdev.sendbird_emulator.state import (
    KINDS,
    STATES_BY_KIND,
    STATUSES_BY_KIND,
    STOPPED_STATUSES,
    Application,
    Parent,
    Recording,
    default_duration_s,
    epoch_ms,
)
from sendbird_copy.facts import APP_ID_ALLOWED, is_valid_app_id
from sendbird_copy.rules import shorten
from sendbird_copy.rules.regions import SENDBIRD_REGIONS

DEFAULT_STOP_AGE_S = 3600.0  # a recording added without stopped_at stopped an hour before the clock
PARENT_LEAD_S = 60.0  # an implicitly created parent was created a minute before its first recording


def _finite(name: str, value: float | None) -> None:
    if value is not None and (isinstance(value, bool) or not math.isfinite(value)):
        raise ValueError(f"{name} must be a finite number of seconds, got {value!r}")


def _check_recording(recording_id: str, status: str, kind: str, byte_size: int) -> None:
    if not recording_id:
        raise ValueError("recording_id is required")
    if kind not in KINDS:
        raise ValueError(f"kind '{kind}' is not one of {KINDS}")
    statuses = STATUSES_BY_KIND[kind]
    if status not in statuses:
        which = "Live (live event)" if kind == "live" else "Calls (room)"
        raise ValueError(f"status '{status}' is not a {which} status: one of {sorted(statuses)}")
    if isinstance(byte_size, bool) or not isinstance(byte_size, int) or byte_size < 0:
        raise ValueError(f"byte_size must be an integer >= 0, got {byte_size!r}")


def _times(
    status: str, now: float, byte_size: int, stopped_at: float | None, duration_s: float | None
) -> tuple[float, float | None]:
    """(started_at, stopped_at): a stopped recording ran ``duration_s`` up to ``stopped_at`` (default
    an hour before ``now``); one still going has no stop, and started ``duration_s`` before
    ``stopped_at`` if given (read as "seen running until then"), else before ``now``."""
    _finite("stopped_at", stopped_at)
    _finite("duration_s", duration_s)
    if duration_s is not None and duration_s < 0:
        raise ValueError(f"duration_s must be >= 0, got {duration_s}")
    duration = default_duration_s(byte_size) if duration_s is None else float(duration_s)
    if status in STOPPED_STATUSES:
        stop = now - DEFAULT_STOP_AGE_S if stopped_at is None else float(stopped_at)
        return stop - duration, stop
    return (now if stopped_at is None else float(stopped_at)) - duration, None


class Catalog:
    """Applications, parents and recordings of the emulator (see ``SendbirdEmulator``)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._apps: dict[str, Application] = {}
        self._recordings: dict[tuple[str, str], Recording] = {}
        self._parents: dict[tuple[str, str, str], Parent] = {}  # (app, kind, parent id)
        self._children: dict[tuple[str, str, str], list[str]] = {}  # recording ids, in order
        self._order_cache: dict[tuple[str, str], list[Parent]] = {}  # (app, kind) -> newest first
        # (app, kind, parent id) -> (state, started_ms) as listings filter on them; a long history's
        # filters would otherwise recompute tens of thousands of them per request.
        self._facts: dict[tuple[str, str, str], tuple[str, int | None]] = {}
        self._seq = 0

    # ----- applications --------------------------------------------------------------------------
    def add_application(
        self,
        app_id: str,
        api_token: str,
        region_key: str,
        org_api_key: str | None = None,
        app_name: str | None = None,
        *,
        aws_region: str | None = None,
    ) -> Application:
        if not app_id or not api_token:
            raise ValueError("app_id and api_token are required")
        if not is_valid_app_id(app_id):
            # The same rule as the client and the component (sendbird_facts): the id is a host label.
            raise ValueError(f"app_id '{shorten(app_id)}' is invalid. Allowed: {APP_ID_ALLOWED}")
        known = SENDBIRD_REGIONS.get(region_key)
        if known is None and aws_region is None:
            raise ValueError(
                f"region_key '{region_key}' is not in SENDBIRD_REGIONS; pass aws_region= explicitly"
            )
        with self._lock:
            if any(a.api_token == api_token for a in self._apps.values() if a.app_id != app_id):
                raise ValueError(f"api_token of '{app_id}' is already used by another application")
            app = Application(
                app_id=app_id,
                api_token=api_token,
                region_key=region_key,
                region_name=known.name if known else region_key,
                aws_region=aws_region or (known.aws_region if known else ""),
                app_name=app_name or f"Emulated {app_id}",
                org_api_key=org_api_key,
            )
            self._apps[app_id] = app
            return app

    def app_for_token(self, token: str | None) -> Application | None:
        with self._lock:
            return next((a for a in self._apps.values() if token and a.api_token == token), None)

    def apps_of_org(self, org_api_key: str | None) -> list[Application]:
        with self._lock:
            return [a for a in self._apps.values() if org_api_key and a.org_api_key == org_api_key]

    def _require_app(self, app_id: str) -> None:
        if app_id not in self._apps:
            raise ValueError(f"unknown application '{app_id}': add_application first")

    # ----- parents and recordings ----------------------------------------------------------------
    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def add_parent(self, app_id: str, kind: str, parent_id: str, created_at: float) -> Parent:
        """Register a live event (``kind="live"``) or a room, or return the one already there."""
        if kind not in KINDS:
            raise ValueError(f"kind '{kind}' is not one of {KINDS}")
        if not parent_id:
            raise ValueError("parent_id is required")
        _finite("created_at", created_at)
        with self._lock:
            self._require_app(app_id)
            key = (app_id, kind, parent_id)
            parent = self._parents.get(key)
            if parent is None:
                parent = Parent(app_id, kind, parent_id, float(created_at), self._next_seq())
                self._store_parent(parent)
                self._children[key] = []
            return parent

    def add_recording(  # noqa: PLR0913 - the documented fields of a recording, all keyword-only
        self,
        app_id: str,
        recording_id: str,
        *,
        now: float,
        status: str,
        byte_size: int,
        kind: str,
        parent_id: str | None,
        stopped_at: float | None,
        duration_s: float | None,
    ) -> Recording:
        _check_recording(recording_id, status, kind, byte_size)
        started, stop = _times(status, now, byte_size, stopped_at, duration_s)
        with self._lock:
            self._require_app(app_id)
            previous = self._recordings.get((app_id, recording_id))
            if parent_id is None:  # one parent per recording by default; a re-added one stays put
                same_kind = previous is not None and previous.kind == kind
                parent_id = previous.parent_id if same_kind and previous else f"{kind}-{recording_id}"
            parent = self.add_parent(app_id, kind, parent_id, started - PARENT_LEAD_S)
            recording = Recording(
                app_id=app_id,
                recording_id=recording_id,
                status=status,
                byte_size=byte_size,
                kind=kind,
                parent_id=parent.parent_id,
                started_at=started,
                stopped_at=stop,
                seq=previous.seq if previous else self._next_seq(),
            )
            children = self._children[(app_id, kind, parent.parent_id)]
            if previous is not None:
                old = self._children[(app_id, previous.kind, previous.parent_id)]
                if old is children:  # replaced in place: it keeps its position
                    children[children.index(recording_id)] = recording_id
                else:
                    old.remove(recording_id)
                    children.append(recording_id)
            else:
                children.append(recording_id)
            self._recordings[(app_id, recording_id)] = recording
            self._facts.pop((app_id, kind, parent.parent_id), None)
            if previous is not None:
                self._facts.pop((app_id, previous.kind, previous.parent_id), None)
            return recording

    def set_status(self, app_id: str, recording_id: str, status: str, *, now: float) -> Recording:
        """Move a recording to ``status`` (a recording that stops now gets ``stopped_at = now``)."""
        with self._lock:
            recording = self._recordings.get((app_id, recording_id))
            if recording is None:
                raise ValueError(f"unknown recording '{recording_id}' of application '{app_id}'")
            _check_recording(recording_id, status, recording.kind, recording.byte_size)
            stop = recording.stopped_at
            if status in STOPPED_STATUSES and stop is None:
                stop = now
            elif status not in STOPPED_STATUSES:
                stop = None
            updated = replace(recording, status=status, stopped_at=stop)
            self._recordings[(app_id, recording_id)] = updated
            self._facts.pop((app_id, updated.kind, updated.parent_id), None)
            return updated

    # ----- questions -----------------------------------------------------------------------------
    def recording(self, app_id: str, recording_id: str, now: float) -> Recording | None:
        """The recording as Sendbird still has it: None when unknown or expired."""
        with self._lock:
            recording = self._recordings.get((app_id, recording_id))
        return None if recording is None or recording.expired(now) else recording

    def recordings(self, app_id: str | None = None) -> list[Recording]:
        """Every recording ever registered (expired ones too), in registration order."""
        with self._lock:
            found = [r for r in self._recordings.values() if app_id is None or r.app_id == app_id]
        return sorted(found, key=lambda r: r.seq)

    def _children_of(self, parent: Parent) -> list[Recording]:
        key = (parent.app_id, parent.kind, parent.parent_id)
        return [self._recordings[(parent.app_id, rid)] for rid in self._children[key]]

    def _shown(self, parent: Parent, now: float) -> dict[str, Any]:
        everything = self._children_of(parent)
        return parent.public_dict([r for r in everything if not r.expired(now)], everything)

    def _matches(self, parent: Parent, where: ParentFilter) -> bool:
        key = (parent.app_id, parent.kind, parent.parent_id)
        facts = self._facts.get(key)
        if facts is None:  # remembered until the parent or one of its recordings changes
            children = self._children_of(parent)
            started = parent.shown_started_at(children)
            facts = (parent.shown_state(children), None if started is None else epoch_ms(started))
            self._facts[key] = facts
        state, started_ms = facts
        return where.matches(parent.parent_id, state, epoch_ms(parent.created_at), started_ms)

    def page(
        self,
        app_id: str,
        kind: str,
        limit: int,
        before: tuple[int, int] | None,
        now: float,
        where: ParentFilter | None = None,
    ) -> tuple[list[dict[str, Any]], tuple[int, int] | None]:
        """Up to ``limit`` parents matching ``where``, older than ``before`` (newest first), and the
        key to continue after (None on the last page). A parent whose recordings all expired is
        still listed."""
        where = where or ParentFilter()
        with self._lock:
            ordered = self._ordered(app_id, kind)
            # Newest first by sort_key: skip to the first parent older than ``before``.
            start = 0
            if before is not None:
                start = bisect.bisect_right(ordered, (-before[0], -before[1]), key=_descending)
            page: list[Parent] = []
            more = False
            for parent in ordered[start:]:
                if not self._matches(parent, where):
                    continue
                if len(page) == limit:
                    more = True
                    break
                page.append(parent)
            shown = [self._shown(p, now) for p in page]
        return shown, (page[-1].sort_key if more else None)

    def _ordered(self, app_id: str, kind: str) -> list[Parent]:
        """The parents of one app and kind, newest first; sorted once per change, not per page (a
        long history is tens of thousands of parents, paged a hundred at a time)."""
        key = (app_id, kind)
        cached = self._order_cache.get(key)
        if cached is None:
            cached = sorted(
                (p for p in self._parents.values() if p.app_id == app_id and p.kind == kind),
                key=_descending,
            )
            self._order_cache[key] = cached
        return cached

    def set_parent_state(
        self, app_id: str, kind: str, parent_id: str, state: str, *, started_at: float | None = None
    ) -> Parent:
        """Give a parent an explicit state (live: created, ready, ongoing, ended; room: open,
        deleted) and, for a live event, its start (epoch seconds)."""
        if state not in STATES_BY_KIND.get(kind, ()):
            raise ValueError(f"state '{state}' of a {kind} is not one of {STATES_BY_KIND.get(kind)}")
        _finite("started_at", started_at)
        with self._lock:
            parent = self._parents.get((app_id, kind, parent_id))
            if parent is None:
                raise ValueError(f"unknown {kind} '{parent_id}' of application '{app_id}'")
            changes: dict[str, Any] = {"state": state}
            if started_at is not None:
                changes["started_at"] = float(started_at)
            parent = replace(parent, **changes)
            self._store_parent(parent)
            return parent

    def add_history(self, app_id: str, kind: str, entries: list[tuple[str, str, float, float, int]]) -> None:
        """Bulk-add ended parents with one completed recording each: ``(parent_id, recording_id,
        started_at, stopped_at, byte_size)``; one lock and one re-sort for all (tens of thousands
        in a second), unlike ``add_recording`` per item."""
        with self._lock:
            self._require_app(app_id)
            for parent_id, recording_id, started, stopped, size in entries:
                _check_recording(recording_id, "completed", kind, size)
                state = "ended" if kind == "live" else "deleted"
                parent = Parent(app_id, kind, parent_id, started - PARENT_LEAD_S, self._next_seq(), state)
                self._parents[(app_id, kind, parent_id)] = parent
                self._facts.pop((app_id, kind, parent_id), None)
                self._children[(app_id, kind, parent_id)] = [recording_id]
                self._recordings[(app_id, recording_id)] = Recording(
                    app_id=app_id,
                    recording_id=recording_id,
                    status="completed",
                    byte_size=size,
                    kind=kind,
                    parent_id=parent_id,
                    started_at=started,
                    stopped_at=stopped,
                    seq=self._next_seq(),
                )
            self._order_cache.clear()

    def _store_parent(self, parent: Parent) -> None:
        self._parents[(parent.app_id, parent.kind, parent.parent_id)] = parent
        self._facts.pop((parent.app_id, parent.kind, parent.parent_id), None)
        self._order_cache.pop((parent.app_id, parent.kind), None)

    def parent(self, app_id: str, kind: str, parent_id: str, now: float) -> dict[str, Any] | None:
        with self._lock:
            parent = self._parents.get((app_id, kind, parent_id))
            return None if parent is None else self._shown(parent, now)


def _descending(parent: Parent) -> tuple[int, int]:
    """Sort key for newest first (by created_at, then registration order; seq is unique)."""
    created_ms, seq = parent.sort_key
    return (-created_ms, -seq)
