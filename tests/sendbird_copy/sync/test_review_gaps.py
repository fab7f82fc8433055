"""An independent review's gaps (issues 23 and 24): paths that ended in a pass, or "safe", without
proof. Against moto (IAM auth on) and the Sendbird emulator; the CLI where a bed allows it."""

from __future__ import annotations

from typing import Any

from sendbird_copy.api import SendbirdClient
from sendbird_copy.errors import SendbirdApiError
from sendbird_copy.sync.horizon import BOUNDED, FULL
from tests.sendbird_copy.cli_support import API_TOKEN, CopyCli
from tests.sendbird_copy.sync.test_sync_bucket_state import (
    app_of,
    forget_checked,
    old_entry,
    put,
    recordings,
    s3,
    sync,
)
from tests.sendbird_copy.sync_bed import DAY, SIZE, SyncBed, outcomes

FULL_SCAN_EVENTS = "created,ready,ongoing,ended"


class RefusingClient(SendbirdClient):
    """A client whose full scan of live events, or whose reads of one live event, Sendbird refuses."""

    refuse_scan = False
    refuse_event = False

    def list_page(self, kind: str, filters: Any, token: str | None = None, limit: int = 100) -> Any:
        if self.refuse_scan and kind == "live-events" and filters.get("state") == FULL_SCAN_EVENTS:
            raise SendbirdApiError(400, 400111, "INVALID_VALUE", "state")
        return super().list_page(kind, filters, token, limit)

    def get_live_event(self, live_event_id: str) -> Any:
        if self.refuse_event:
            raise SendbirdApiError(500, 500901, "UNEXPECTED_ERROR", "internal error")
        return super().get_live_event(live_event_id)


def refusing(bed: SyncBed, **refuse: bool) -> Any:
    def make(app: Any) -> SendbirdClient:
        client = RefusingClient(app.app_id, API_TOKEN, base_url=bed.emulator.base_url, backoff_factor=0.01)
        for name, value in refuse.items():
            setattr(client, name, value)
        return client

    return bed.services(make_client=make)


def test_a_first_run_whose_full_scan_is_refused_does_not_pass(bed: SyncBed) -> None:
    """Only the full scan finds a recording of an event that started before the horizon; when the
    scan is refused that recording is not shown safe, so the run must not pass (it did, with a note)."""
    now = bed.emulator.clock()
    app = bed.dest.app_id
    bed.emulator.add_parent(app, "live", "imported", created_at=now - 30 * DAY)
    bed.add("imported-rec", parent_id="imported", age_days=1)
    bed.emulator.set_parent_state(app, "live", "imported", "ended", started_at=now - 30 * DAY)
    report = bed.sync(services=refusing(bed, refuse_scan=True))
    assert report.discovery is not None and report.discovery.mode == FULL
    assert "imported-rec" not in outcomes(report)
    assert not report.passed, report.to_dict()
    assert any("full scan's page was refused" in why for why in report.missed), report.missed


def test_a_watched_parent_that_cannot_be_read_does_not_pass(bed: SyncBed) -> None:
    """A long event, watched since a run saw it ongoing, ended since: only its read by id finds its
    recording. A refused read leaves the recording unseen: the run must not pass."""
    now = bed.emulator.clock()
    app = bed.dest.app_id
    bed.emulator.add_parent(app, "live", "long-event", created_at=now - 20 * DAY)
    bed.emulator.add_recording(
        app, "long-rec", status="recording", kind="live", parent_id="long-event",
        byte_size=SIZE, duration_s=19 * DAY,
    )  # fmt: skip
    assert bed.sync().passed  # sees it ongoing: watched from now on
    bed.emulator.add_recording(
        app, "long-rec", status="completed", kind="live", parent_id="long-event",
        byte_size=SIZE, stopped_at=now - DAY, duration_s=18 * DAY,
    )  # fmt: skip
    report = bed.sync(services=refusing(bed, refuse_event=True))
    assert report.discovery is not None and report.discovery.mode == BOUNDED
    assert "long-rec" not in outcomes(report)
    assert not report.passed, report.to_dict()
    assert any("long-event" in why for why in report.missed), report.missed
    # Read again by the next run, and copied.
    again = bed.sync()
    assert outcomes(again).get("long-rec") == "copied" and again.passed


def test_an_earlier_releases_entry_naming_a_longer_ids_object_is_not_safe(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    """The earlier release's prefix match could mark rec-1 copied with rec-1-second.mp4 (its key
    holds "rec-1" followed by "-"). With the key layout not known (no discovery state), neither the
    sync nor ``status`` may take that for rec-1's copy: rec-1-second is a recording Sendbird lists."""
    bed.add("rec-1")
    bed.add("rec-1-second", status="uploading")
    put(bed, "rec-1-second.mp4", b"\0" * SIZE)  # as the copy identity (or a later copy) left it
    put(
        bed,
        bed.ledger().key("rec-1"),
        old_entry(bed, "rec-1", state="copied", object={"key": "rec-1-second.mp4", "size": SIZE}),
    )
    forget_checked(bed)
    shown = copy_cli.invoke(
        "status", copy_cli.outputs(bed.dest), "--api-base-url", bed.emulator.base_url, "--json"
    )
    rows = {r["recording_id"]: r for r in shown.json()["applications"][0]["recordings"]}
    assert rows["rec-1"]["state"] != "safe", rows["rec-1"]
    done = sync(copy_cli, bed)
    found = recordings(done)
    assert found["rec-1"]["outcome"] == "copied", app_of(done)
    assert found["rec-1"]["object"]["key"] == "rec-1.mp4"
    assert s3(bed).head_object(Bucket=bed.app.bucket_name, Key="rec-1.mp4")["ContentLength"] == SIZE
