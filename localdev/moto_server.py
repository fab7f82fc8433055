"""Run moto as a real HTTP server on 127.0.0.1 with IAM authentication switched on.

With authentication on, moto checks every request's SigV4 signature and the caller's IAM policies,
so the copy identity's grant is tested for real. The first requests after ``reset-auth`` are let
through unauthenticated; we spend exactly those on creating an administrator (the "deployer").
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import requests
from botocore.config import Config

_ADMIN_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
# Path-style S3 URLs: moto listens on an IP address, which cannot carry a bucket subdomain.
S3_CONFIG = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2, "mode": "standard"})


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str = field(repr=False)


@dataclass
class Latency:
    """How long the server holds back every answer: AWS across a network. 0 unless a benchmark sets
    it (after its deploy, which would otherwise pay it on hundreds of requests)."""

    seconds: float = 0.0


class _HeldBack:
    """WSGI middleware: each request waits ``latency.seconds`` (in its own server thread) first."""

    def __init__(self, app: Any, latency: Latency) -> None:
        self.app = app
        self.latency = latency

    def __call__(self, environ: Any, start_response: Any) -> Any:
        if self.latency.seconds > 0:
            time.sleep(self.latency.seconds)
        return self.app(environ, start_response)


@dataclass(frozen=True)
class MotoServer:
    endpoint: str
    deployer: Credentials
    latency: Latency = field(default_factory=Latency, compare=False, repr=False)

    def client(self, service: str, region: str = "us-east-1", creds: Credentials | None = None) -> Any:
        """A boto3 client for this server, signed as the deployer unless other keys are given."""
        creds = creds or self.deployer
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id=creds.access_key_id,
            aws_secret_access_key=creds.secret_access_key,
            config=S3_CONFIG,
        )

    def reset(self) -> MotoServer:
        """Wipe every backend and create a fresh deployer; returns the server with its new keys."""
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=10).raise_for_status()
        return MotoServer(self.endpoint, enable_iam_auth(self.endpoint), self.latency)


# Variables a caller's shell may hold that would send a local run elsewhere or break it (a profile
# that does not exist here, a session token moto never issued, a CA bundle): the sandbox prints an
# `unset` of these; the main job drops every AWS_* variable instead (local_only_environment).
CALLER_AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CA_BUNDLE",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
)
# What a local run sets instead: no config or credentials file, no instance-metadata probe.
LOCAL_AWS_SETTINGS = {
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


def local_only_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``environ`` (default: this process's) for a run that may talk to its own moto only.

    Every ``AWS_*`` variable goes (profiles, config and credential files, ``AWS_ENDPOINT_URL*``,
    session tokens, regions: the caller's account must never be reached, nor their settings break a
    run) and so does every ``SENDBIRD_*`` one; no AWS file is read; loopback bypasses any proxy.
    """
    source = os.environ if environ is None else environ
    env = {k: v for k, v in source.items() if not k.upper().startswith(("AWS_", "SENDBIRD_"))}
    env.update(LOCAL_AWS_SETTINGS)
    for name in ("NO_PROXY", "no_proxy"):
        hosts = [h for h in env.get(name, "").split(",") if h.strip()]
        env[name] = ",".join([*hosts, *(h for h in LOOPBACK_HOSTS if h not in hosts)])
    return env


def isolate_this_process() -> None:
    """Apply ``local_only_environment`` to ``os.environ``, before any boto3 session exists."""
    env = local_only_environment()
    os.environ.clear()
    os.environ.update(env)


def enable_iam_auth(endpoint: str) -> Credentials:
    """Create an administrator in moto's IAM, then make moto authenticate every later request."""
    # A large unauthenticated allowance while we bootstrap, then none at all.
    requests.post(f"{endpoint}/moto-api/reset-auth", data=b"1000", timeout=10).raise_for_status()
    iam = boto3.client(
        "iam",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="bootstrap",
        aws_secret_access_key="bootstrap",  # moto ignores unauthenticated requests' keys
    )
    # moto's state is per process, not per server: a unique name lets two servers in one process
    # (a test that runs the main job beside the shared fixture) each bootstrap their own deployer.
    user = f"deployer-{uuid.uuid4().hex[:12]}"
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="admin", PolicyDocument=_ADMIN_POLICY)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    requests.post(f"{endpoint}/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"])


def _moto_server(latency: Latency) -> Any:
    """moto's ThreadedMotoServer, its WSGI app wrapped to hold answers back by ``latency``."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server

    class HeldBackMotoServer(ThreadedMotoServer):
        def _server_entry(self) -> None:
            # ThreadedMotoServer._server_entry of the pinned moto (requirements.lock), with one change:
            # the app is wrapped. A moto upgrade that changes it fails every test that starts moto.
            app = _HeldBack(DomainDispatcherApplication(create_backend_app), latency)
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    return HeldBackMotoServer(ip_address="127.0.0.1", port=0, verbose=False)


@contextmanager
def running_moto_server() -> Iterator[MotoServer]:
    """Start moto on a free loopback port with IAM auth on; stop it on exit. Its ``latency`` holds
    every answer back while set."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request on the console
    latency = Latency()
    server = _moto_server(latency)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        yield MotoServer(endpoint, enable_iam_auth(endpoint), latency)
    finally:
        server.stop()
