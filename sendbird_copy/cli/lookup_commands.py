"""``find``, ``link`` and ``hold``: a copied recording at any age, from the manifests in the bucket
(``sendbird_copy.lookup``), with the operator's AWS credentials; no Sendbird token needed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from sendbird_copy import rules
from sendbird_copy.cli.options import RuleType, common_options
from sendbird_copy.cli.running import run_command

if TYPE_CHECKING:
    from sendbird_copy.checks.smoke import Environment
    from sendbird_copy.cli.factory import CLIFactory, CommonOptions
    from sendbird_copy.cli.reporter import Reporter
    from sendbird_copy.lookup.find import FindReport
    from sendbird_copy.lookup.hold import HoldReport
    from sendbird_copy.lookup.link import AppBucket, LinkReport
    from sendbird_copy.outputs import AppOutputs


@click.command("find")
@common_options
@click.option("--live-event", metavar="ID", help="The recordings of this live event.")
@click.option("--room", metavar="ID", help="The recordings of this room.")
@click.option("--recording-id", metavar="ID", help="This recording.")
@click.option(
    "--since", metavar="DATE|DAYS", help="Recordings started on/after a date (YYYY-MM-DD, UTC) or N days ago."
)
@click.option(
    "--until", metavar="DATE|DAYS", help="... and before this date (YYYY-MM-DD, UTC) or N days ago."
)
def find(common: CommonOptions, since: str | None, until: str | None, **ids: str | None) -> None:
    """Where copied recordings are, at any age: from their manifests in the bucket.

    By live event, room, recording id or time range (any of them together). Shows the bucket and
    key, size, duration and whether the object is still there. Reads with your AWS credentials;
    a recording's ledger entry may have expired long ago. Exit 0 found and present; 1 nothing found
    or an object missing; 2 bad input.
    """
    from sendbird_copy.errors import OptionError
    from sendbird_copy.lookup.find import FindQuery, ManifestFinder

    def body(factory: CLIFactory) -> list[FindReport]:
        for name, value in ids.items():
            if value is not None:
                rules.check_sendbird_id(f"--{name.replace('_', '-')}", value)
        query = FindQuery(
            **{k: v.strip() if v else None for k, v in ids.items()},
            since=factory.since(since),
            until=factory.since(until, "--until"),
        )
        if not any(query.__dict__.values()):
            raise OptionError("find needs --live-event, --room, --recording-id, --since or --until")
        if query.since and query.until and query.since >= query.until:
            raise OptionError("--since must be before --until")
        apps = factory.applications()
        env = factory.environment(apps, needs_token=False, needs_deployer=True)
        reports = [
            ManifestFinder(env.aws.deployer("s3", app.region), app.bucket_name, app.app_id).find(query)
            for app in apps
        ]
        anywhere = any(r.found for r in reports)
        for report in reports:
            report.found_elsewhere = anywhere
        return reports

    run_command(common, body, show=lambda reporter, reports: reporter.document(render_found, reports))


def render_found(reports: list[FindReport], text: Any) -> str:
    from sendbird_copy.cli.render import verdict_line

    lines: list[str] = []
    for report in reports:
        if report.error:
            lines.append(f"{report.app_id}: ERROR {report.error}")
        for found in report.found:
            data = found.to_dict()
            parent = data["parent"]
            title = f" {parent['title']!r}" if parent.get("title") else ""
            duration = f", {data['duration_s']:g} s" if isinstance(data["duration_s"], int | float) else ""
            lines.append(
                f"{report.app_id}: {data['recording_id']} ({parent.get('kind')} {parent.get('id')}{title}), "
                f"started {data['started_at'] or 'unknown'}: s3://{data['bucket']}/{data['key']}, "
                f"{data['size']} bytes{duration}, {data['state']}"
            )
        lines.extend(f"{report.app_id}: DAMAGED {p['key']}: {p['problem']}" for p in report.problems)
        listed = report.requests.get("s3 ListObjectsV2", 0)
        lines.append(f"{report.app_id}: {len(report.found)} found ({listed} listing requests)")
    lines.append(verdict_line(reports, "found nothing, or an object is missing"))
    return str(text("\n".join(lines)))


@click.command("link")
@common_options
@click.argument("recording_id")
@click.option(
    "--expires",
    type=RuleType(rules.check_link_expires, "duration"),
    default=rules.LINK_EXPIRES_DEFAULT,
    show_default=True,
    metavar="DURATION",
    help="How long the URL works: 90m, 24h, 7d (at most 7 days, SigV4's limit; temporary credentials "
    "may end sooner).",
)
def link(common: CommonOptions, recording_id: str, expires: int) -> None:
    """A presigned download URL for a copied recording (like Sendbird's 24-hour dashboard link).

    The object's key comes from the recording's manifest, else its ledger entry. Signed with your
    AWS credentials (checked first with a HeadObject); the URL carries your access key id and a
    signature, never your secret key. Prints the URL alone on stdout. Exit 0 a URL; 1 no such copy
    or credentials refused; 2 bad input or no credentials.
    """
    from sendbird_copy.lookup.link import NotInBucket, locate_in_any, presign, shows_secret
    from sendbird_copy.sync.bucket.ledger import now_utc

    def body(factory: CLIFactory) -> list[LinkReport]:
        checked = rules.check_sendbird_id("RECORDING_ID", recording_id)
        apps = factory.applications()
        env = factory.environment(apps, needs_token=False, needs_deployer=True)
        _, place = locate_in_any(app_buckets(env, apps), checked)
        region = {app.app_id: app.region for app in apps}[place.app_id]
        credentials = env.aws.deployer_credential_facts()
        report = presign(env.aws.presigner(region), place, expires, now_utc(), credentials)
        # The one secret a URL signed with temporary credentials must carry (not the key).
        factory.reporter.allow_in_links(credentials_token(env.aws))
        if shows_secret(report.url, factory.reporter.link_secrets()):
            raise NotInBucket("refusing to print the URL: it would show a secret")
        return [report]

    run_command(common, body, show=show_link)


def app_buckets(env: Environment, apps: list[AppOutputs]) -> list[AppBucket]:
    """Each application's bucket, read with the operator's (deployer's) credentials."""
    from sendbird_copy.lookup.link import AppBucket

    return [AppBucket(env.aws.deployer("s3", app.region), app.bucket_name, app.app_id) for app in apps]


def credentials_token(aws: Any) -> str | None:
    secrets = aws.deployer_secrets()
    return secrets[1] if len(secrets) > 1 else None


def show_link(reporter: Reporter, reports: list[LinkReport]) -> None:
    """The URL alone on stdout (``$(sendbird-copy link ID)``), what bounds it on stderr; with --json
    the document. Every secret but the session token is still masked; a URL that held one would be
    refused instead (``Reporter.link``)."""
    (report,) = reports
    for note in report.notes:
        reporter.progress(f"note: {note}")
    reporter.progress(
        f"{report.app_id}: s3://{report.bucket}/{report.key} ({report.size} bytes), key from its "
        f"{report.source}; the URL works until {report.expires_at.isoformat(timespec='seconds')}"
    )
    reporter.link(report.url, reports)


@click.command("hold")
@common_options
@click.argument("recording_id")
@click.option("--release", is_flag=True, help="Lift the legal hold instead of placing it.")
def hold(common: CommonOptions, recording_id: str, release: bool) -> None:
    """Place (or --release) an S3 Object Lock legal hold on a copied recording.

    The hold keeps the recording's version from being deleted or overwritten until released, with
    no end date. The bucket needs Object Lock (the stack's object_lock setting). The object's key
    comes from the recording's manifest, else its ledger entry; the hold is set on its current
    version with your AWS credentials (s3:PutObjectLegalHold). Exit 0 set; 1 no such copy, a bucket
    without Object Lock, or credentials refused; 2 bad input or no credentials.
    """
    from sendbird_copy.lookup.hold import set_legal_hold
    from sendbird_copy.lookup.link import locate_in_any

    def body(factory: CLIFactory) -> list[HoldReport]:
        checked = rules.check_sendbird_id("RECORDING_ID", recording_id)
        apps = factory.applications()
        env = factory.environment(apps, needs_token=False, needs_deployer=True)
        found, place = locate_in_any(app_buckets(env, apps), checked)
        return [set_legal_hold(found.s3, place, release)]

    run_command(common, body, show=lambda reporter, reports: reporter.document(render_hold, reports))


def render_hold(reports: list[HoldReport], text: Any) -> str:
    from sendbird_copy.cli.render import verdict_line

    lines: list[str] = []
    for report in reports:
        lines.append(
            f"{report.app_id}: {report.recording_id}: legal hold {report.status} on s3://{report.bucket}/"
            f"{report.key} version {report.version_id} (key from its {report.source})"
        )
        lines.extend(f"{report.app_id}: note: {note}" for note in report.notes)
    lines.append(verdict_line(reports, "could not set the hold"))
    return str(text("\n".join(lines)))
