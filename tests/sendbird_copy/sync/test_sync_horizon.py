"""A sync run costs what the two-week window holds (``horizon.py``), and still misses nothing.

Against moto (IAM auth on) and the Sendbird emulator, whose listings follow the documented filters.
Each test first runs once, which scans in full (no state in the bucket yet), so the run under test is
a bounded one, as every run after the first is.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

from localdev.sendbird_emulator.media import RecordingFile
from sendbird_copy.sync.bucket.state import KeyLayout, SyncStateStore
from sendbird_copy.sync.horizon import BOUNDED, FULL
from sendbird_copy.sync.run import COPIED_NOW, SyncReport
from tests.sendbird_copy.sync_bed import DAY, SIZE, SyncBed, at_once, outcomes

LONG_AGO = 200 * DAY


def settled(bed: SyncBed) -> SyncReport:
    """The first run: a full scan that leaves the state a bounded run builds on."""
    first = bed.sync()
    assert first.discovery is not None and first.discovery.mode == FULL, first.to_dict()
    assert "first run" in first.discovery.reason
    return first


def bounded(bed: SyncBed, **options: Any) -> SyncReport:
    report = bed.sync(**options)
    assert report.discovery is not None and report.discovery.mode == BOUNDED, report.to_dict()
    assert report.discovery.complete
    return report


def copied(report: SyncReport) -> set[str]:
    return {rid for rid, outcome in outcomes(report).items() if outcome == COPIED_NOW}


def test_a_live_event_that_started_before_the_horizon_and_is_still_ongoing_is_seen(bed: SyncBed) -> None:
    settled(bed)
    now = bed.emulator.clock()
    # An event going on for 40 days: one segment stopped yesterday (completed), one records now.
    bed.emulator.add_parent(bed.dest.app_id, "live", "marathon", created_at=now - 40 * DAY)
    bed.emulator.set_parent_state(bed.dest.app_id, "live", "marathon", "ongoing", started_at=now - 40 * DAY)
    bed.add("marathon-part-1", parent_id="marathon", age_days=1)
    bed.add("marathon-part-2", parent_id="marathon", status="recording", age_days=0)
    report = bounded(bed)
    assert copied(report) == {"marathon-part-1"}


def test_an_event_that_ended_inside_the_window_after_a_run_longer_than_the_margin_is_copied(
    bed: SyncBed,
) -> None:
    """Seen ongoing by one run, ended since, started long before the horizon: only the watch finds it
    (no listing of a bounded run shows it), and its recording is copied."""
    now = bed.emulator.clock()
    bed.emulator.add_parent(bed.dest.app_id, "live", "long-event", created_at=now - 20 * DAY)
    bed.emulator.add_recording(
        bed.dest.app_id, "long-rec", status="recording", kind="live", parent_id="long-event",
        byte_size=SIZE, duration_s=19 * DAY,
    )  # fmt: skip
    settled(bed)  # sees it ongoing: watched from now on
    # It ended a day ago, after running 19 days: far longer than the default margin (24 hours).
    bed.emulator.add_recording(
        bed.dest.app_id, "long-rec", status="completed", kind="live", parent_id="long-event",
        byte_size=SIZE, stopped_at=now - DAY, duration_s=18 * DAY,
    )  # fmt: skip
    report = bounded(bed)
    assert copied(report) == {"long-rec"}
    assert report.discovery is not None and report.discovery.fetched_by_id == 1
    # Settled now (ended, every recording safe): no longer watched, so the next run reads it no more.
    again = bounded(bed)
    assert again.discovery is not None and again.discovery.fetched_by_id == 0
    assert "long-rec" not in outcomes(again)


def test_an_open_room_created_long_ago_with_a_new_recording_is_copied(bed: SyncBed) -> None:
    now = bed.emulator.clock()
    bed.emulator.add_parent(bed.dest.app_id, "room", "weekly-standup", created_at=now - LONG_AGO)
    settled(bed)
    bed.add("standup-today", kind="room", parent_id="weekly-standup", age_days=0.05)
    assert copied(bounded(bed)) == {"standup-today"}


def test_deleted_rooms_recent_or_watched_are_copied(bed: SyncBed) -> None:
    now = bed.emulator.clock()
    app = bed.dest.app_id
    bed.emulator.add_parent(app, "room", "old-room", created_at=now - 30 * DAY)
    settled(bed)  # old-room is open: watched
    bed.add("old-room-rec", kind="room", parent_id="old-room", age_days=2)
    bed.emulator.set_parent_state(app, "room", "old-room", "deleted")
    bed.emulator.add_parent(app, "room", "new-room", created_at=now - 3 * DAY)
    bed.add("new-room-rec", kind="room", parent_id="new-room", age_days=2)
    bed.emulator.set_parent_state(app, "room", "new-room", "deleted")
    report = bounded(bed)
    assert copied(report) == {"old-room-rec", "new-room-rec"}
    assert report.discovery is not None and report.discovery.fetched_by_id == 1  # old-room, by id


def test_full_scan_finds_a_recording_the_bounded_run_skips_on_purpose(bed: SyncBed) -> None:
    """An ended event that started before the horizon and that no earlier run saw open cannot exist
    in Sendbird (the proof in horizon.py); made up here, the bounded run skips it, --full-scan not."""
    settled(bed)
    now = bed.emulator.clock()
    app = bed.dest.app_id
    bed.emulator.add_parent(app, "live", "imported", created_at=now - 30 * DAY)
    bed.add("imported-rec", parent_id="imported", age_days=1)
    bed.emulator.set_parent_state(app, "live", "imported", "ended", started_at=now - 30 * DAY)
    assert "imported-rec" not in outcomes(bounded(bed))
    audit = bed.sync(full_scan=True)
    assert audit.discovery is not None and audit.discovery.mode == FULL
    assert audit.discovery.reason == "full scan requested"
    assert copied(audit) == {"imported-rec"}


def test_a_bounded_run_asks_only_for_the_window_and_the_parents_not_over(bed: SyncBed) -> None:
    settled(bed)
    before = len(bed.emulator.request_events)
    report = bounded(bed)
    queries = [
        (event.path.rsplit("/", 1)[-1], {k: v[-1] for k, v in parse_qs(event.query).items()})
        for event in bed.emulator.request_events[before:]
        if event.method == "GET"
    ]
    states = sorted((path, q.get("state", "")) for path, q in queries)
    assert states == [
        ("live-events", "created,ready,ongoing"),
        ("live-events", "ended"),
        ("rooms", "deleted"),
        ("rooms", "open"),
    ]
    edge_ms = int(bed.emulator.clock() * 1000) - int((14 + 1) * DAY * 1000)
    for path, query in queries:
        start = query.get("started_at_start_date") or query.get("created_at_start_date")
        if query.get("state") in ("ended", "deleted"):
            assert start is not None and abs(int(start) - edge_ms) < 120_000, (path, query)
    assert report.requests.get("sendbird GET") == 4


def mp4_of(recording_id: str) -> bytes:
    """The bytes the emulator's copy of ``recording_id`` holds (a real MP4 of SIZE bytes)."""
    return RecordingFile(recording_id, SIZE).read(0, SIZE)


def test_copies_are_verified_under_the_learned_layout_and_a_stray_one_by_a_reported_listing(
    bed: SyncBed,
) -> None:
    bed.add("rec-a")
    first = settled(bed)
    assert copied(first) == {"rec-a"}
    assert any("learned where copies land: {recording_id}.mp4" in note for note in first.notes), first.notes
    state = SyncStateStore(bed.ledger().s3, bed.app.bucket_name, bed.ledger().prefix).load()
    assert state is not None and state.layout == KeyLayout("", ".mp4")

    bed.add("rec-b")
    second = bounded(bed)
    assert copied(second) == {"rec-b"}
    assert not any("listed the bucket" in note for note in second.notes), second.notes
    # One prefix lookup per poll for the one copy (it may not have landed at the first poll).
    assert 1 <= second.requests.get("s3 ListObjectsV2", 0) <= 3

    # rec-c's copy is accepted but lands elsewhere (made by hand here): not under its expected key
    # by the verify timeout, so the run lists the bucket once, finds it, and says so.
    bed.add("rec-c")
    bed.emulator.drop_next_copies(1)
    s3 = bed.ledger().s3
    body = mp4_of("rec-c")
    stray = threading.Timer(
        0.3, lambda: s3.put_object(Bucket=bed.app.bucket_name, Key="elsewhere/rec-c.mp4", Body=body)
    )
    stray.start()
    third = bounded(bed, verify_timeout=1.5)
    stray.join()
    assert copied(third) == {"rec-c"}
    result = next(r for r in third.results if r.recording.recording_id == "rec-c")
    assert result.object is not None and result.object["key"] == "elsewhere/rec-c.mp4"
    assert any("not under the expected key {recording_id}.mp4" in note for note in third.notes), third.notes
    assert any("landed at elsewhere/rec-c.mp4" in note for note in third.notes), third.notes


def test_two_bounded_runs_at_once_copy_each_new_recording_once(bed: SyncBed) -> None:
    settled(bed)
    for n in range(30):
        bed.add(f"new-{n:02d}")
    reports = at_once(2, lambda: bed.sync())
    # Either one run took the lease and the other left it the work, or they ran one after the other.
    worked = [r for r in reports if r.skipped is None]
    assert worked and all(r.discovery and r.discovery.mode == BOUNDED for r in worked)
    assert all("another sync run" in (r.skipped or "another sync run") for r in reports)
    assert bed.copy_posts() == Counter({f"new-{n:02d}": 1 for n in range(30)})
    assert set().union(*(copied(r) for r in reports)) == {f"new-{n:02d}" for n in range(30)}


def test_a_full_scan_too_long_for_one_run_goes_on_where_the_last_run_stopped(bed: SyncBed) -> None:
    """The scheduled function caps a run's scan pages (its time budget): a first run over a long
    history scans a page per run here, copies the window's recordings at once, and the recording
    only the scan can find (a made-up one, as in the --full-scan test) arrives when the scan does."""
    from localdev.sendbird_emulator.seeding import seed_history

    now = bed.emulator.clock()
    app = bed.dest.app_id
    bed.emulator.add_parent(app, "live", "imported", created_at=now - 30 * DAY)
    bed.add("imported-rec", parent_id="imported", age_days=1)
    bed.emulator.set_parent_state(app, "live", "imported", "ended", started_at=now - 30 * DAY)
    seed_history(bed.emulator, app, events=250, byte_size=SIZE)  # 3 pages of live events
    bed.add("window-rec")
    runs: list[SyncReport] = []
    while len(runs) < 10:
        report = bed.sync(max_scan_pages=1)
        runs.append(report)
        assert report.discovery is not None
        if report.discovery.mode == BOUNDED:
            break
    modes = [(r.discovery.mode, r.discovery.scan_left_off) for r in runs if r.discovery]
    # 5 scan pages (3 of live events, 1 each of open and deleted rooms), one per run, then bounded.
    assert modes == [(FULL, True)] * 4 + [(FULL, False), (BOUNDED, False)], modes
    assert "window-rec" in copied(runs[0])  # the window does not wait for the scan
    assert "going on with a full scan" in runs[1].discovery.reason  # type: ignore[union-attr]
    assert "imported-rec" in set().union(*(copied(r) for r in runs[1:5]))
    assert bed.copy_posts() == Counter({"window-rec": 1, "imported-rec": 1})
