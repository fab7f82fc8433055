"""The moto stand-in itself: IAM auth on (the other tests rely on it) and the latency benchmarks set."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from localdev.moto_server import Credentials, MotoServer


def test_every_answer_is_held_back_while_a_latency_is_set_and_only_then(moto: MotoServer) -> None:
    s3 = moto.client("s3", "us-east-1")
    s3.list_buckets()  # connected and warm
    moto.latency.seconds = 0.4
    try:
        started = time.perf_counter()
        s3.list_buckets()
        held = time.perf_counter() - started
    finally:
        moto.latency.seconds = 0.0
    assert held >= 0.4  # a sleep of 0.4 s lies on the path of the answer (a lower bound, not a speed)
    assert moto.reset().latency is moto.latency  # a reset keeps the same control


def test_iam_authentication_is_on(moto: MotoServer) -> None:
    stranger = moto.client("s3", "us-east-1", creds=Credentials("AKIAEXAMPLEEXAMPLE00", "not-a-secret"))
    with pytest.raises(ClientError) as refused:
        stranger.list_buckets()
    assert refused.value.response["Error"]["Code"] in {"InvalidAccessKeyId", "AccessDenied", "403"}
