"""Everything a command needs, built from its options and the environment (chalice's ``CLIFactory``).

The click commands stay thin: each reads its options, asks a ``CLIFactory`` for the applications,
the environment (clients, stated facts) and the reporter, and calls a stage function itself. Every
flag and environment variable is validated here, once, and a refusal is an ``OptionError`` naming
the input. Heavy libraries (boto3, requests) are imported inside the methods, so ``--help`` and a
refused option stay fast. Tests pass another factory through ``main(factory=...)``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from sendbird_copy.cli.reporter import Reporter
from sendbird_copy.cli.tokens import TOKEN_ENV, api_tokens, env_token_values
from sendbird_copy.errors import OptionError, UsageError
from sendbird_copy.rules import check_secret, check_sendbird_id, check_url, shorten

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from sendbird_copy.checks.report import AppReport
    from sendbird_copy.checks.smoke import Environment
    from sendbird_copy.outputs import AppOutputs
    from sendbird_copy.sync.run import SyncServices

ORG_KEY_ENV = "SENDBIRD_ORG_API_KEY"
ENDPOINT_ENV = "AWS_ENDPOINT_URL"
# Secrets a run may know from its environment; all are masked in everything it prints.
SECRET_ENVS = (TOKEN_ENV, ORG_KEY_ENV, "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


class CommonOptions(NamedTuple):
    """The options every subcommand shares: what a ``CLIFactory`` is built from. Defined here, not in
    the CLI, so the factory never imports the CLI (the commands import the factory, not back)."""

    outputs: str | None
    stack: str | None
    app_id: str | None
    json_output: bool
    aws_endpoint_url: str | None
    api_base_url: str | None
    org_api_base_url: str | None
    sendbird_aws_region: str | None
    api_tokens_file: str | None = None


class CLIFactory:
    """Builds, for one invocation, what the stage functions take."""

    def __init__(self, options: CommonOptions, environ: Mapping[str, str] | None = None) -> None:
        self.options = options
        self.environ = os.environ if environ is None else environ
        known = [*(self._env(name) for name in SECRET_ENVS), *env_token_values(self.environ)]
        self.reporter = Reporter(options.json_output, known)
        # The reports the stages start, shared with the Environment: read after a Ctrl-C.
        self.started_reports: list[AppReport] = []
        self._tokens: dict[str, str] = {}  # per application, once environment() has read them

    def _env(self, name: str) -> str:
        return self.environ.get(name, "").strip()

    def applications(self, recording_id: str | None = None) -> list[AppOutputs]:
        """The applications to check, from the stack outputs (their secrets join the redaction)."""
        from sendbird_copy.cli.inputs import load_outputs, select_apps

        if recording_id is not None:
            check_sendbird_id("--recording-id", recording_id)
        apps = select_apps(
            load_outputs(self.options.outputs, self.options.stack, progress=self.reporter.progress),
            self.options.app_id,
        )
        self.reporter.add_secrets(app.copy_secret_access_key for app in apps)
        if recording_id is not None and len(apps) > 1:
            known = ", ".join(app.app_id for app in apps)
            raise OptionError(
                f"--recording-id names one application's recording; pass --app-id (one of: {known})"
            )
        return apps

    def environment(self, apps: list[AppOutputs], *, needs_token: bool, needs_deployer: bool) -> Environment:
        """Clients and stated facts for the stages; every refusal happens here, before any check."""
        from sendbird_copy.aws import AwsClients, endpoint_override
        from sendbird_copy.checks.region_check import SendbirdRegionSource
        from sendbird_copy.checks.smoke import Environment

        options = self.options
        endpoint = endpoint_override(options.aws_endpoint_url, self.environ)
        endpoint_input = "--aws-endpoint-url" if options.aws_endpoint_url else ENDPOINT_ENV
        # --api-base-url and --org-api-base-url passed rules.check_base_url as the options were read
        # (no user or password can be in them); the AWS endpoint may be plain http to any host.
        if endpoint is not None:
            # A password in a URL is masked in everything printed, whatever quotes the URL.
            self.reporter.add_secrets([check_url(endpoint_input, endpoint)])
        aws = AwsClients(endpoint)
        sendbird_client = None
        if needs_token:
            tokens = self.api_tokens(apps, aws)
            sendbird_client = self._sendbird_client_factory(tokens)
            for app in apps:
                sendbird_client(app)  # an application id the client refuses: exit 2 before any check
        if needs_deployer:
            aws.require_deployer_credentials()
            self.reporter.add_secrets(aws.deployer_secrets())
        return Environment(
            aws=aws,
            sendbird_region=SendbirdRegionSource(
                self._organization_lookup(), explicit_aws_region(options.sendbird_aws_region)
            ),
            sendbird_client=sendbird_client,
            api_base_url=options.api_base_url,
            progress=self.reporter.progress,
            reports=self.started_reports,
        )

    def since(self, value: str | None, name: str = "--since") -> datetime | None:
        """--since (or --until) as an aware UTC datetime (a date, or N days before now)."""
        from sendbird_copy.rules import check_since
        from sendbird_copy.sync.bucket.ledger import now_utc

        return None if value is None else check_since(name, value, now_utc())

    def sync_services(
        self,
        apps: list[AppOutputs],
        on_result: Callable[[str, Any], None],
        on_found: Callable[[str, int], None] = lambda _app_id, _count: None,
    ) -> SyncServices:
        """The sync core's collaborators: a new Sendbird client per worker thread, the operator's S3
        client per application (made here, in one thread: boto3 sessions are not thread-safe)."""
        from sendbird_copy.api import client_factory
        from sendbird_copy.sync.run import SyncServices

        env = self.environment(apps, needs_token=True, needs_deployer=True)
        tokens = self._tokens
        s3 = {app.app_id: env.aws.deployer("s3", app.region) for app in apps}
        return SyncServices(
            make_client=client_factory(tokens, self.options.api_base_url),
            deployer_s3=lambda app: s3[app.app_id],
            progress=self.reporter.progress,
            on_result=on_result,
            on_found=on_found,
            # The sync's only sleep is the verify wait's, between listings.
            sleep=self.reporter.sleeper("still waiting for the copied objects to appear in the bucket"),
        )

    def _organization_lookup(self) -> Any:
        org_key = self._env(ORG_KEY_ENV)
        if not org_key:
            return None
        from sendbird_copy.api import OrganizationClient

        organization = OrganizationClient(
            check_secret(ORG_KEY_ENV, org_key), base_url=self.options.org_api_base_url
        )
        return organization.get_application

    def api_tokens(self, apps: list[AppOutputs], aws: Any) -> dict[str, str]:
        """One Sendbird API token per application (``cli/tokens.py`` says from where), masked in
        everything printed from now on; an application without one is an OptionError (exit 2)."""

        def read_secret(arn: str) -> str:
            region = arn.split(":")[3] if arn.count(":") >= 6 else ""
            answer = aws.deployer("secretsmanager", region).get_secret_value(SecretId=arn)
            return str(answer.get("SecretString") or "")

        tokens = api_tokens(
            [app.app_id for app in apps], self.environ, self.options.api_tokens_file, read_secret
        )
        self.reporter.add_secrets(tokens.values())
        self._tokens = tokens
        return tokens

    def _sendbird_client_factory(self, tokens: Mapping[str, str]) -> Any:
        import functools

        from sendbird_copy.api import SendbirdClient, client_factory

        make_client = client_factory(tokens, self.options.api_base_url)

        @functools.cache
        def sendbird_client(app: AppOutputs) -> SendbirdClient:
            try:
                return make_client(app)
            except UsageError as exc:
                # Name where the id came from: the key of its entry in the stack outputs.
                raise OptionError(f"stack outputs applications.{shorten(app.app_id)}: {exc}") from None

        return sendbird_client


def explicit_aws_region(value: str | None) -> str | None:
    """--sendbird-aws-region: a Sendbird key or any AWS region botocore knows (new ones included)."""
    from sendbird_copy.rules.regions import SENDBIRD_REGIONS, is_aws_region

    if value is None:
        return None
    cleaned = value.strip()
    if cleaned in SENDBIRD_REGIONS:
        return SENDBIRD_REGIONS[cleaned].aws_region
    if not is_aws_region(cleaned):
        raise OptionError(
            f"--sendbird-aws-region '{shorten(value)}' is not an AWS region (for example ap-northeast-1)"
        )
    return cleaned
