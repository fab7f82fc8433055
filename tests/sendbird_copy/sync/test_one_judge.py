"""``status`` and ``sync`` judge every recording alike (issue 25: one vocabulary, one judge in
``sendbird_copy/sync/outcomes.py``): over the main job's seeded history (``localdev/main_job.py``'s
``SyncSeed``: 20 live events and 10 rooms, seed 0, through ``seed_application``), in one emulator and
moto world, each recording's state as ``status`` shows it is the state of the sync's outcome
(``outcomes.state_of``), before any sync (a dry run against no ledger) and after one."""

from __future__ import annotations

from collections import Counter

from localdev.main_job import SyncSeed
from localdev.sendbird_emulator.seeding import seed_application
from sendbird_copy.api import SendbirdClient
from sendbird_copy.sync.outcomes import State, state_of
from sendbird_copy.sync.run import SyncReport
from sendbird_copy.sync.status import StatusOptions, StatusReport, StatusServices, app_status
from tests.sendbird_copy.cli_support import API_TOKEN
from tests.sendbird_copy.sync_bed import SIZE, SyncBed


def status_of(bed: SyncBed) -> StatusReport:
    base = bed.emulator.base_url
    services = StatusServices(
        deployer_s3=lambda app: bed.moto.client("s3", app.region),
        make_client=lambda app: SendbirdClient(app.app_id, API_TOKEN, base_url=base, backoff_factor=0.01),
    )
    return app_status(bed.app, services, StatusOptions())


def judged_by_sync(report: SyncReport) -> dict[str, State]:
    return {r.recording.recording_id: state_of(r.outcome, r.at_risk) for r in report.results}


def judged_by_status(report: StatusReport) -> dict[str, State]:
    return {row.recording_id: State(row.state) for row in report.rows}


def test_status_and_sync_agree_on_every_recording_of_the_main_jobs_seeded_history(bed: SyncBed) -> None:
    seed = SyncSeed()
    seeded = seed_application(
        bed.emulator, bed.dest.app_id, events=seed.events, rooms=seed.rooms, seed=seed.seed, byte_size=SIZE
    )
    assert len(seeded) > 30

    before = judged_by_sync(bed.sync(dry_run=True))
    assert judged_by_status(status_of(bed)) == before
    # The history shows every state a recording can be in before a sync but "safe" and the ledger's.
    assert {State.TO_COPY, State.AT_RISK, State.NOT_READY, State.UNAVAILABLE} <= set(before.values())

    synced = bed.sync()
    after = judged_by_sync(synced)
    status = status_of(bed)
    assert status.error is None and status.problems == []
    assert judged_by_status(status) == after
    counts = Counter(after.values())
    assert counts[State.SAFE] == sum(r.status == "completed" for r in seeded if r.recording_id in after)
    assert counts[State.AT_RISK] == 0  # the at-risk ones were copied: safe in both
