"""The sync's parts on their own: the pacing limiter, discovery's lenient reading, the ledger's
conditional writes in moto (IAM auth on), and the judging of deadlines."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from localdev.moto_server import MotoServer
from localdev.sendbird_emulator.media import FIXTURE_SIZE, RecordingFile
from sendbird_copy.api.answers import listing_page, single_parent
from sendbird_copy.errors import OptionError, UnexpectedAnswerError
from sendbird_copy.facts import LEDGER_PREFIX, RECORDING_RETENTION
from sendbird_copy.rules import check_since
from sendbird_copy.sync.bucket.ledger import COPIED, REQUESTED, Ledger, LedgerEntry
from sendbird_copy.sync.discovery import FULL_SCAN, LIVE_EVENT, ROOM, Discoverer, FoundRecording
from sendbird_copy.sync.limiter import RateLimiter
from tests.sendbird_copy.aws_builders import create_bucket

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_the_limiter_keeps_arrivals_under_the_limit_whatever_the_delay() -> None:
    """Requests that start in order but arrive with jitter: no window ever holds more than the limit."""
    limiter = RateLimiter(5, window=0.2)
    arrivals: list[float] = []
    lock = threading.Lock()

    def request(delay: float) -> None:
        with limiter.slot():
            time.sleep(delay)  # on its way: arrives at the end of the delay...
            with lock:
                arrivals.append(time.monotonic())
            time.sleep(0.005 if delay else 0.03)  # ...and is answered a little later

    threads = [threading.Thread(target=request, args=(0.03 if n % 3 == 0 else 0.0,)) for n in range(30)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(arrivals) == 30
    ordered = sorted(arrivals)
    assert all(b - a > 0.2 for a, b in zip(ordered, ordered[5:], strict=False))  # any 6 span > window
    assert time.monotonic() - started < 5  # and it does not crawl
    with pytest.raises(ValueError):
        RateLimiter(0)


def test_the_limiter_pipelines_slow_round_trips_while_arrivals_stay_under_the_limit() -> None:
    """A slow link (each answer 0.15 s after arrival): the next requests start before a window has
    passed since the answer of the one ``limit`` places earlier, so round trips overlap, while any
    ``limit + 1`` arrivals still span more than a window."""
    limit, window, latency = 3, 0.3, 0.15
    limiter = RateLimiter(limit, window=window)
    lock = threading.Lock()
    starts: dict[int, float] = {}
    finishes: dict[int, float] = {}
    arrivals: list[float] = []
    in_flight, most_in_flight = 0, 0
    order: list[int] = []

    def request() -> None:
        nonlocal in_flight, most_in_flight
        with limiter.slot():
            with lock:
                n = len(order)
                order.append(n)
                starts[n] = time.monotonic()
                arrivals.append(starts[n])  # arrives at once...
                in_flight += 1
                most_in_flight = max(most_in_flight, in_flight)
            time.sleep(latency)  # ...and is answered later
            with lock:
                in_flight -= 1
                finishes[n] = time.monotonic()

    threads = [threading.Thread(target=request) for _ in range(15)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert len(arrivals) == 15
    ordered = sorted(arrivals)
    assert all(b - a > window for a, b in zip(ordered, ordered[limit:], strict=False))
    assert most_in_flight >= 2
    # Once a round trip is known, each request starts well inside the window after the answer of
    # the one ``limit`` before it (a limiter that waits a window after that answer never does).
    # Most, not all: a busy machine may start a thread late (real threads and time), which only ever
    # widens a gap; a limiter that waits a window after each answer overlaps none of them.
    later = range(2 * limit, 15)
    overlapping = [n for n in later if starts[n] - finishes[n - limit] < window - latency / 2]
    assert len(overlapping) >= 2 * len(later) // 3, (overlapping, list(later))


def test_the_limiter_is_shared_safely_by_threads() -> None:
    limiter = RateLimiter(1000)
    done: list[int] = []

    def worker() -> None:
        with limiter.slot():
            done.append(1)

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert len(done) == 50


class Listing:
    def __init__(self, events: list[Any], rooms: list[Any]) -> None:
        self.events, self.rooms = events, rooms

    def list_page(self, kind: str, filters: Any, token: str | None = None) -> Any:
        # One page each; rooms are asked once per state (open, deleted): seen twice, kept once.
        key = "live_events" if kind == "live-events" else "rooms"
        return listing_page("/" + kind, {key: self.events if kind == "live-events" else self.rooms})

    def get_live_event(self, live_event_id: str) -> Any:
        raise AssertionError("a full scan reads no parent by id")

    get_room = get_live_event


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def discover(client: Any) -> list[FoundRecording]:
    discoverer = Discoverer(client)
    discoverer.read(FULL_SCAN)
    return discoverer.finish().recordings


def test_discovery_reads_both_listings_once_per_recording() -> None:
    stopped = NOW - timedelta(days=2)
    events = [
        {"live_event_id": "e1", "cloud_recordings": [
            {"recording_id": "r1", "status": "completed", "stopped_at": ms(stopped), "byte_size": 10},
            {"recording_id": "r2", "status": "recording", "started_at": ms(NOW)},
        ]},
        # A page that shifted while paging shows r1 again: kept once.
        {"live_event_id": "e1", "cloud_recordings": [{"recording_id": "r1", "status": "completed"}]},
        {"live_event_id": "e2"},
    ]  # fmt: skip
    rooms = [{"room_id": "room-1", "cloud_recordings": [{"recording_id": "r3", "status": "failed"}]}]
    found = {r.recording_id: r for r in discover(Listing(events, rooms))}
    assert set(found) == {"r1", "r2", "r3"}
    assert found["r1"] == FoundRecording("r1", "completed", LIVE_EVENT, "e1", None, stopped, 10)
    assert found["r1"].deadline == stopped + RECORDING_RETENTION
    assert found["r2"].deadline is None and not found["r2"].completed
    assert found["r3"].parent_kind == ROOM and found["r3"].byte_size is None


@pytest.mark.parametrize(
    ("recording", "named"),
    [
        ("not a recording", "cloud_recordings[0] is a string, not an object"),
        ({"status": "completed"}, "'recording_id' is missing or null"),
        ({"recording_id": "r", "status": 3}, "'status' is an integer"),
        ({"recording_id": "r", "status": "completed", "byte_size": True}, "'byte_size' is a boolean"),
        ({"recording_id": "r", "status": "completed", "stopped_at": "yesterday"}, "'stopped_at' is a string"),
        # Seconds where milliseconds are documented: reads as January 1970, refused.
        ({"recording_id": "r", "status": "completed", "stopped_at": 1_700_000_000}, "seconds instead of ms"),
        ({"recording_id": "r", "status": "completed", "started_at": 1.7e12}, "'started_at' is a decimal"),
    ],
)
def test_a_recording_of_another_shape_is_an_error_naming_the_endpoint(recording: Any, named: str) -> None:
    events = [{"live_event_id": "e1", "cloud_recordings": [recording]}]
    with pytest.raises(UnexpectedAnswerError) as caught:
        discover(Listing(events, []))
    message = str(caught.value)
    assert message.startswith("Sendbird's answer to GET /live-events is not what the sync relies on: ")
    assert "live_events[0].cloud_recordings[0]" in message and named in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", NOW - timedelta(days=7)), ("0", NOW), ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC))],
)
def test_since_takes_days_or_a_date(value: str, expected: datetime) -> None:
    assert check_since("--since", value, NOW) == expected


@pytest.mark.parametrize(
    "value", ["yesterday", "-3", "3.5", "2026-13-01", "99999", "٣", "", "😀", "a\x01b", "9" * 5000]
)
def test_since_refuses_anything_else_naming_the_flag(value: str) -> None:
    with pytest.raises(OptionError, match="--since"):
        check_since("--since", value, NOW)


def entry(recording_id: str = "rec-1", state: str = REQUESTED, run_id: str = "run-a") -> LedgerEntry:
    stamp = NOW.isoformat()
    return LedgerEntry(recording_id, "APP-1", state, "live event e1", run_id, stamp, requested_at=stamp)


@pytest.fixture
def ledger(moto: MotoServer) -> Ledger:
    s3 = create_bucket(moto, "ledger-bucket", "ap-northeast-2")
    s3.put_bucket_versioning(Bucket="ledger-bucket", VersioningConfiguration={"Status": "Enabled"})
    return Ledger(s3, "ledger-bucket", "APP-1")


def test_only_the_first_claim_wins(ledger: Ledger) -> None:
    first = ledger.create(entry(run_id="run-a"))
    assert first is not None and first.etag
    assert ledger.create(entry(run_id="run-b")) is None  # If-None-Match: * -> PreconditionFailed
    stored = ledger.read("rec-1")
    assert stored is not None and stored.entry is not None and stored.entry.run_id == "run-a"


def test_taking_over_needs_the_etag_that_was_read(ledger: Ledger) -> None:
    ledger.create(entry())
    stored = ledger.read("rec-1")
    assert stored is not None
    assert ledger.take_over(entry(run_id="run-b"), stored.etag) is not None
    assert ledger.take_over(entry(run_id="run-c"), stored.etag) is None  # changed since it was read
    again = ledger.read("rec-1")
    assert again is not None and again.entry is not None and again.entry.run_id == "run-b"


def test_entries_round_trip_and_live_under_the_prefix_with_odd_ids(ledger: Ledger) -> None:
    odd = "rec/1 ü?"
    written = ledger.write(entry(odd).moved_to(COPIED, object={"key": "x.mp4", "size": 3}))
    assert (
        ledger.key(odd).startswith(f"{LEDGER_PREFIX}APP-1/")
        and "/" not in ledger.key(odd)[len(LEDGER_PREFIX) + 6 :]
    )
    stored = ledger.read(odd)
    assert stored is not None and stored.entry == written
    assert stored.entry.object == {"key": "x.mp4", "size": 3}
    assert ledger.read("never-written") is None


def test_an_unreadable_entry_is_returned_for_take_over(ledger: Ledger) -> None:
    ledger.s3.put_object(Bucket="ledger-bucket", Key=ledger.key("rec-1"), Body=b"{not json")
    stored = ledger.read("rec-1")
    assert stored is not None and stored.entry is None and stored.etag
    assert ledger.take_over(entry(), stored.etag) is not None


GOOD_ENTRY = {
    "recording_id": "r",
    "app_id": "A",
    "state": "copied",
    "where": "w",
    "run_id": "x",
    "updated_at": "t",
}


@pytest.mark.parametrize(
    "document",
    [
        json.dumps({**GOOD_ENTRY, "attempts": "2"}),
        json.dumps({**GOOD_ENTRY, "attempts": None}),
        json.dumps({**GOOD_ENTRY, "recording_id": 7}),
        json.dumps({**GOOD_ENTRY, "state": "done"}),
        json.dumps({**GOOD_ENTRY, "object": [1]}),
        "[" * 70_000,
        '"just a string"',
    ],
)
def test_an_entry_of_the_wrong_shape_is_not_trusted(document: str) -> None:
    assert LedgerEntry.from_json(document, '"etag"') is None  # taken over like a stale one, never a crash


def test_an_object_older_than_the_request_is_not_its_copy() -> None:
    from dataclasses import replace

    from sendbird_copy.sync.bucket.checked import fresh_since
    from sendbird_copy.sync.verification import _not_older

    # An earlier release's entry: its requested_at (the writer's clock), ten minutes allowed.
    requested = fresh_since(replace(entry(), requested_at=NOW.isoformat()))
    assert _not_older(NOW + timedelta(seconds=5), requested)
    assert _not_older(NOW - timedelta(minutes=5), requested)  # within the clock skew allowed
    assert not _not_older(NOW - timedelta(days=2), requested)  # a copy from before a key rotation
    assert _not_older(None, requested) and _not_older(NOW, None)  # unknown: accept
    # S3's own time of the claim (both stamps S3's): a minute of slack, whatever this machine's clock.
    on_s3 = fresh_since(replace(entry(), requested_at=(NOW + timedelta(days=1)).isoformat(), written_s3=NOW))
    assert _not_older(NOW - timedelta(seconds=30), on_s3)
    assert not _not_older(NOW - timedelta(minutes=5), on_s3)


def test_taking_over_without_an_etag_counts_as_losing(ledger: Ledger) -> None:
    assert ledger.take_over(entry(), None) is None
    assert ledger.read("rec-1") is None


def test_a_well_shaped_entry_is_read() -> None:
    read = LedgerEntry.from_json(json.dumps(GOOD_ENTRY), '"etag"')
    assert read is not None and read.state == "copied" and read.etag == '"etag"'


# -- verification by listing only (the scheduled function's role may not read recordings) ------------
class FakeBucket:
    """Just enough of an S3 client for one sync: the ledger's objects, a listing, and HeadObject calls
    counted (the listing-only mode must never make one)."""

    def __init__(self, head: dict[str, Any] | None = None) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.head = head
        self.heads: list[str] = []

    def get_object(self, Bucket: str, Key: str, Range: str | None = None, **_: Any) -> dict[str, Any]:
        from io import BytesIO

        from botocore.exceptions import ClientError

        if Key not in self.objects:
            raise ClientError({"Error": {"Code": "NoSuchKey", "Message": "no"}}, "GetObject")
        body = self.objects[Key]["body"]
        if Range is not None:  # "bytes=first-last", as the MP4 check asks
            first, last = (int(n) for n in Range.removeprefix("bytes=").split("-"))
            body = body[first : last + 1]
        return {"Body": BytesIO(body), "ETag": self.objects[Key]["ETag"]}

    def put_object(self, Bucket: str, Key: str, Body: bytes, **_: Any) -> dict[str, Any]:
        etag = f'"{len(self.objects)}-{len(Body)}"'
        self.objects[Key] = {"body": Body, "ETag": etag, "Size": len(Body)}
        return {"ETag": etag}

    def put_object_tagging(self, Bucket: str, Key: str, Tagging: dict[str, Any]) -> dict[str, Any]:
        self.objects[Key]["tags"] = Tagging["TagSet"]  # the parent's id (sync/manifest.py)
        return {}

    def head_object(self, Bucket: str, Key: str, **_: Any) -> dict[str, Any]:
        self.heads.append(Key)
        assert self.head is not None, "HeadObject called in listing-only mode"
        return {"ContentLength": self.objects[Key]["Size"], "ETag": self.objects[Key]["ETag"], **self.head}

    def get_paginator(self, _name: str) -> Any:
        bucket = self

        class Pages:
            def paginate(self, Bucket: str) -> list[dict[str, Any]]:
                contents = [
                    {"Key": key, "Size": item["Size"], "ETag": item["ETag"], "LastModified": NOW}
                    for key, item in sorted(bucket.objects.items())
                ]
                return [{"Contents": contents}]

        return Pages()


class FakeSendbird:
    """One completed recording of ``size`` bytes; its copy lands as ``<id>.mp4`` of ``landed`` bytes."""

    def __init__(self, bucket: FakeBucket, size: int, landed: int) -> None:
        self.bucket, self.size, self.landed = bucket, size, landed

    def set_throttle(self, _throttle: Any) -> None:
        pass

    def list_page(self, kind: str, filters: Any, token: str | None = None) -> Any:
        if kind == "rooms":
            return listing_page("/rooms", {"rooms": []})
        recording = {"recording_id": "rec-1", "status": "completed", "byte_size": self.size,
                     "stopped_at": ms(NOW - timedelta(days=1))}  # fmt: skip
        return listing_page(
            "/live-events",
            # Started within the window: the window's started_at filter holds for it (discovery.py).
            {"live_events": [{"live_event_id": "e1", "started_at": ms(NOW - timedelta(days=1, hours=1)),
                              "cloud_recordings": [recording]}]},
        )  # fmt: skip

    def copy_recording(self, recording_id: str, **_: Any) -> None:
        body = RecordingFile(recording_id, self.landed).read(0, self.landed)  # a real MP4 (or its start)
        self.bucket.put_object(Bucket="b", Key=f"{recording_id}.mp4", Body=body)


SIZE = FIXTURE_SIZE + 100  # Sendbird's byte_size of the one recording: a whole MP4, padded


def sync_one(bucket: FakeBucket, *, verify_with_head: bool, landed: int = SIZE, sendbird: Any = None) -> Any:
    from sendbird_copy.outputs import AppOutputs
    from sendbird_copy.sync.run import SyncOptions, SyncServices, run_sync

    app = AppOutputs(
        "APP", "ap-northeast-1", "b", "arn:aws:s3:::b", KEY_ARN, "alias/k", "u", "AKIA", "secret"
    )
    services = SyncServices(
        make_client=lambda _app: (sendbird or FakeSendbird)(bucket, SIZE, landed),
        deployer_s3=lambda _app: bucket,
        now=lambda: NOW,
        sleep=lambda _s: None,
    )
    options = SyncOptions(verify_timeout=1.0, poll_interval=0.01, verify_with_head=verify_with_head)
    (report,) = run_sync([app], services, options)
    return report


KEY_ARN = "arn:aws:kms:ap-northeast-1:123456789012:key/11111111-2222-3333-4444-555555555555"
FIXTURE_MEDIA = {"duration_s": 2.0, "width": 1280, "height": 720, "fps": 30.0, "default_format": True}


def test_listing_only_verification_takes_the_size_from_the_listing_and_never_heads() -> None:
    from sendbird_copy.sync.run import COPIED_NOW, FAILED_OUTCOME, LISTING_ONLY_NOTE

    bucket = FakeBucket(head=None)
    (result,) = sync_one(bucket, verify_with_head=False).results
    assert result.outcome == COPIED_NOW and bucket.heads == []
    assert result.object == {
        "key": "rec-1.mp4", "size": SIZE, "etag": bucket.objects["rec-1.mp4"]["ETag"],
        "kms_key_id": None, "verified_by": LISTING_ONLY_NOTE, "media": FIXTURE_MEDIA,
        "manifest": "_sendbird-manifests/APP/2026/11/28/120000Z/live-event/e1/rec-1.json",
    }  # fmt: skip
    assert bucket.objects["rec-1.mp4"]["tags"] == [{"Key": "sendbird:live_event_id", "Value": "e1"}]
    stored = json.loads(bucket.objects[f"{LEDGER_PREFIX}APP/rec-1.json"]["body"])
    assert stored["state"] == COPIED and stored["object"]["verified_by"] == LISTING_ONLY_NOTE

    short = FakeBucket(head=None)  # a size the listing shows wrong still fails the recording
    (result,) = sync_one(short, verify_with_head=False, landed=3).results
    assert result.outcome == FAILED_OUTCOME and f"has 3 bytes; the recording has {SIZE}" in (
        result.reason or ""
    )


def test_head_verification_still_checks_the_kms_key() -> None:
    from sendbird_copy.sync.run import COPIED_NOW, FAILED_OUTCOME

    ours = FakeBucket(head={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KEY_ARN})
    (result,) = sync_one(ours, verify_with_head=True).results
    assert result.outcome == COPIED_NOW and ours.heads == ["rec-1.mp4"]
    assert result.object is not None and result.object["kms_key_id"] == KEY_ARN

    other = FakeBucket(head={"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KEY_ARN[:-1] + "6"})
    (result,) = sync_one(other, verify_with_head=True).results
    assert result.outcome == FAILED_OUTCOME and "not SSE-KMS with the stack's key" in (result.reason or "")


def test_the_object_search_by_listing_stops_when_stopped_and_otherwise_reads_every_key() -> None:
    """A bucket of many pages is not listed to the end once the run is stopped (Ctrl-C, the
    function's time budget); otherwise the fallback listing reads every key, so that two objects
    holding one id are seen as ambiguous instead of the first one being taken."""
    import threading
    from types import SimpleNamespace

    from sendbird_copy.sync.verification import Verifier

    def pages(served: list[int]) -> Any:
        def paginate(Bucket: str) -> Any:
            for n in range(100):
                served.append(n)
                yield {"Contents": [{"Key": f"rec-{n}.mp4", "Size": 1}]}

        return SimpleNamespace(paginate=paginate)

    def search(waiting: list[str], stop: bool) -> tuple[dict[str, Any], list[int]]:
        served: list[int] = []
        event = threading.Event()
        if stop:
            event.set()
        context = SimpleNamespace(
            waiting={rid: (None, entry(rid)) for rid in waiting},
            s3=SimpleNamespace(get_paginator=lambda _name: pages(served)),
            app=SimpleNamespace(bucket_name="bucket"),
            services=SimpleNamespace(stop=event),
            layout=None,
            known_ids=set(waiting),
            notes=[],
            requests=Counter(),
        )
        verifier = Verifier(context, claims=None)  # type: ignore[arg-type]
        return verifier.find_by_listing("test"), served

    found, served = search(["rec-1", "rec-2"], stop=False)
    # rec-1 is inside rec-10.mp4 ... rec-19.mp4 too, but there it runs on into a digit: not its key.
    assert {rid: item["Key"] for rid, item in found.items()} == {"rec-1": "rec-1.mp4", "rec-2": "rec-2.mp4"}
    assert served == list(range(100))
    found, served = search(["rec-1"], stop=True)
    assert found == {} and served == [0]


# -- what one refusal must not do (review of the bounded discovery) --------------------------------
class ParentsClient:
    """Listings with nothing in them; ``get_room`` of ``broken`` refused with 400100, of ``gone``
    with 400200; pages of the full scan refused when they carry ``stale_token``."""

    def __init__(self, stale_token: str | None = None) -> None:
        self.stale_token = stale_token

    def list_page(self, kind: str, filters: Any, token: str | None = None) -> Any:
        from sendbird_copy.errors import SendbirdApiError

        if token is not None and token == self.stale_token:
            raise SendbirdApiError(400, 400100, "INVALID_PARAMS", "next is not valid")
        return listing_page("/" + kind, {"live_events" if kind == "live-events" else "rooms": []})

    def get_live_event(self, live_event_id: str) -> Any:
        body = {"live_event": {"live_event_id": live_event_id, "state": "ended", "cloud_recordings": []}}
        return single_parent("/live-events", live_event_id, body)

    def get_room(self, room_id: str) -> Any:
        from sendbird_copy.errors import SendbirdApiError

        if room_id == "gone":
            raise SendbirdApiError(400, 400200, "NOT_FOUND", "no such room")
        raise SendbirdApiError(400, 400100, "INVALID_PARAMS", "room_id is odd")


def test_a_watched_parent_sendbird_refuses_stays_watched_and_the_run_goes_on() -> None:
    from sendbird_copy.sync.discovery import ROOM, Discoverer
    from sendbird_copy.sync.horizon import next_watch

    discoverer = Discoverer(ParentsClient())
    discoverer.read_watched([(ROOM, "broken"), (ROOM, "gone")])
    found = discoverer.finish()
    assert not found.complete and found.gone == {(ROOM, "gone")}
    assert found.unread and "room broken" in found.unread[0]
    assert next_watch(found, [(ROOM, "broken"), (ROOM, "gone")], {}, NOW) == [(ROOM, "broken")]


def test_a_refused_scan_page_does_not_stop_the_application() -> None:
    """A ``next`` token kept from an earlier run that Sendbird no longer takes: the scan begins again
    next run, this run is not complete, and the run does not pass (``missed``): the window's
    recordings are still copied."""
    from types import SimpleNamespace

    from sendbird_copy.sync.discovery import Discoverer, ScanCursor
    from sendbird_copy.sync.run import AppSync

    sync = AppSync.__new__(AppSync)
    sync.context = SimpleNamespace(options=SimpleNamespace(max_scan_pages=None), notes=[])  # type: ignore[assignment]
    sync.missed = []
    discoverer = Discoverer(ParentsClient(stale_token="old-token"))
    cursor = sync._scan(discoverer, ScanCursor(0, "old-token"))
    assert cursor == ScanCursor() and not discoverer.result.complete
    assert "begins again next run" in sync.missed[0]


def test_a_copy_request_left_unanswered_stays_requested_for_verification() -> None:
    """A timeout may hide an accepted copy: the entry stays ``requested`` (no second copy next run)."""
    from sendbird_copy.errors import SendbirdTimeoutError
    from sendbird_copy.sync.run import IN_PROGRESS

    class Unanswered(FakeSendbird):
        def copy_recording(self, recording_id: str, **_: Any) -> None:
            raise SendbirdTimeoutError("Sendbird did not answer within 30 s")

    bucket = FakeBucket(head=None)
    (result,) = sync_one(bucket, verify_with_head=False, sendbird=Unanswered).results
    assert result.outcome == IN_PROGRESS
    stored = json.loads(bucket.objects[f"{LEDGER_PREFIX}APP/rec-1.json"]["body"])
    assert stored["state"] == REQUESTED and stored["attempts"] == 1


@pytest.mark.parametrize(
    "record",
    [None, {"key": "somewhere-else.mp4", "size": SIZE}, {"key": "rec-1.mp4", "size": 3}],
    ids=["no object", "another key", "another size"],
)
def test_a_copied_entry_whose_record_does_not_check_out_is_checked_again(record: Any) -> None:
    """A ``copied`` entry is believed only when its record names this recording's object, of
    Sendbird's size (the one judge, ``outcomes.standing``, as ``status`` shows it). Otherwise the sync
    looks for its object and, none being there, requests the copy again: it never reports "already
    safe" for a recording whose object it has not seen (issue 23's forged entry)."""
    bucket = FakeBucket(head=None)
    day_ago = (NOW - timedelta(days=1)).isoformat()
    forged = LedgerEntry("rec-1", "APP", COPIED, "live event e1", "hand", day_ago, day_ago, object=record)
    bucket.put_object(Bucket="b", Key=f"{LEDGER_PREFIX}APP/rec-1.json", Body=forged.to_json().encode())
    (result,) = sync_one(bucket, verify_with_head=False).results
    assert result.outcome == "copied" and result.object is not None and result.object["key"] == "rec-1.mp4"
    stored = json.loads(bucket.objects[f"{LEDGER_PREFIX}APP/rec-1.json"]["body"])
    assert stored["state"] == COPIED and stored["object"]["size"] == SIZE and stored["attempts"] == 1


def test_a_copy_in_another_format_is_copied_and_its_format_shown() -> None:
    """Sendbird documents 1280 x 720 at 30 fps; another resolution or frame rate is recorded and
    shown (the result's reason, the report's line), never a failure."""
    from sendbird_copy.cli.sync_report import render_sync_human
    from sendbird_copy.sync.run import COPIED_NOW
    from tests.sendbird_copy.sync.test_mp4 import box, mvhd, tkhd, trak

    track = trak(fps_delta=1001, timescale=30000).replace(tkhd(), tkhd(640, 360))
    head = box("ftyp", b"isom") + box("moov", mvhd() + track)
    other = head + box("mdat", bytes(SIZE - len(head) - 8))  # Sendbird's byte size

    class OtherFormat(FakeSendbird):
        def copy_recording(self, recording_id: str, **_: Any) -> None:
            self.bucket.put_object(Bucket="b", Key=f"{recording_id}.mp4", Body=other)

    report = sync_one(FakeBucket(head=None), verify_with_head=False, sendbird=OtherFormat)
    (result,) = report.results
    assert result.outcome == COPIED_NOW and result.object is not None
    assert result.object["media"] == {
        "duration_s": 2.0, "width": 640, "height": 360, "fps": 29.97, "default_format": False,
    }  # fmt: skip
    assert result.reason == "not Sendbird's default 1280x720 at 30 fps: 2 s, 640x360, 29.97 fps"
    assert "COPIED rec-1 (live event e1" in render_sync_human([report])
