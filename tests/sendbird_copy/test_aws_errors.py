"""boto3's failures are mapped once, at the clients' boundary, into the error tree (issue 25).

``AwsClients`` hands out clients whose calls, paginators and streamed bodies raise ``AwsNotFound``,
``AwsAccessDenied``, ``AwsPreconditionFailed``, ``AwsConnectionError``... with AWS's code and the
operation; every message stays the one line ``describe`` gave before.
"""

from __future__ import annotations

import pickle

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from localdev.moto_server import MotoServer
from sendbird_copy.aws import AwsClients, mapped, read_text, write_json
from sendbird_copy.errors import (
    AwsAccessDenied,
    AwsConfigurationError,
    AwsConnectionError,
    AwsCredentialsRejected,
    AwsError,
    AwsNotFound,
    AwsPreconditionFailed,
    ServiceError,
    aws_error,
    aws_error_code,
    classify,
    describe,
)
from tests.sendbird_copy.cli_support import closed_port

REGION = "us-east-1"


@pytest.fixture
def s3(moto: MotoServer, monkeypatch: pytest.MonkeyPatch) -> object:
    """The deployer's S3 client as AwsClients hands it out, signed with moto's deployer."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto.deployer.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto.deployer.secret_access_key)
    return AwsClients(moto.endpoint).deployer("s3", REGION)


def test_a_call_raises_the_mapped_error_with_its_code_and_operation(s3) -> None:
    with pytest.raises(AwsNotFound) as missing:
        s3.get_object(Bucket="no-such-bucket-here", Key="k")
    error = missing.value
    assert (error.code, error.operation, error.status) == ("NoSuchBucket", "GetObject", 404)
    assert isinstance(error, ServiceError) and isinstance(error.__cause__, ClientError)
    assert aws_error_code(error) == "NoSuchBucket"  # the old helper still answers
    assert describe(error).startswith("GetObject: NoSuchBucket (HTTP 404)")  # the one line, as before


def test_a_paginators_pages_raise_the_mapped_error(s3) -> None:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="no-such-bucket-here")
    with pytest.raises(AwsNotFound) as missing:
        list(pages)
    assert missing.value.operation == "ListObjectsV2"


def test_head_and_conditional_writes_map_by_status_and_code(s3) -> None:
    s3.create_bucket(Bucket="errors-once-bucket")
    with pytest.raises(AwsNotFound) as head:
        s3.head_object(Bucket="errors-once-bucket", Key="missing")
    assert head.value.code == "404"  # HEAD answers have no body: the status is the code
    s3.put_object(Bucket="errors-once-bucket", Key="k", Body=b"1", IfNoneMatch="*")
    with pytest.raises(AwsPreconditionFailed):
        s3.put_object(Bucket="errors-once-bucket", Key="k", Body=b"2", IfNoneMatch="*")
    # The bucket helpers name what they expect, for a mapped client or a bare one alike.
    assert write_json(s3, "errors-once-bucket", "k", "{}", IfNoneMatch="*") is None
    assert read_text(s3, "errors-once-bucket", "missing", None) is None


def test_the_tool_never_writes_an_object_of_its_own_above_the_retention_cap(s3) -> None:
    """The recordings' retention rules match objects above TOOL_OBJECT_MAX_BYTES only: a larger
    object of the tool's own would expire or move with the recordings, so it is refused unwritten."""
    from sendbird_copy.errors import OwnObjectTooLarge
    from sendbird_copy.facts import TOOL_OBJECT_MAX_BYTES

    s3.create_bucket(Bucket="tool-cap-bucket")
    at_cap = "x" * TOOL_OBJECT_MAX_BYTES
    assert write_json(s3, "tool-cap-bucket", "_sendbird-sync/A/_run/state.json", at_cap)
    with pytest.raises(OwnObjectTooLarge) as refused:
        write_json(s3, "tool-cap-bucket", "_sendbird-sync/A/_run/state.json", at_cap + "é")
    message = str(refused.value)
    assert "s3://tool-cap-bucket/_sendbird-sync/A/_run/state.json" in message
    assert f"{TOOL_OBJECT_MAX_BYTES + 2} bytes" in message and str(TOOL_OBJECT_MAX_BYTES) in message
    stored = s3.get_object(Bucket="tool-cap-bucket", Key="_sendbird-sync/A/_run/state.json")
    assert stored["ContentLength"] == TOOL_OBJECT_MAX_BYTES  # the earlier object, untouched
    assert classify(refused.value) is OwnObjectTooLarge and not isinstance(refused.value, ValueError)


def test_no_answer_is_an_aws_connection_error_naming_the_host() -> None:
    port = closed_port()
    s3 = AwsClients(f"http://user:pw@127.0.0.1:{port}").deployer("s3", REGION)
    with pytest.raises(AwsConnectionError) as unreachable:
        s3.list_buckets()
    assert str(unreachable.value) == f"cannot reach AWS at 127.0.0.1:{port}: EndpointConnectionError"
    assert unreachable.value.code is None


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("NoSuchKey", AwsNotFound),
        ("NoSuchEntity", AwsNotFound),
        ("NotFoundException", AwsNotFound),
        ("AccessDenied", AwsAccessDenied),
        ("403", AwsAccessDenied),
        ("InvalidAccessKeyId", AwsCredentialsRejected),
        ("SignatureDoesNotMatch", AwsCredentialsRejected),
        ("PreconditionFailed", AwsPreconditionFailed),
        ("ConditionalRequestConflict", AwsPreconditionFailed),
        ("SlowDown", AwsError),
    ],
)
def test_botocore_errors_map_by_code(code: str, kind: type[AwsError]) -> None:
    raw = ClientError({"Error": {"Code": code, "Message": "m"}}, "PutObject")
    error = aws_error(raw)
    assert type(error) is kind and classify(raw) is kind
    assert error.code == code and error.operation == "PutObject"
    assert aws_error_code(raw) == code == aws_error_code(error)


def test_configuration_and_connection_errors_map_by_type() -> None:
    assert isinstance(aws_error(NoCredentialsError()), AwsConfigurationError)  # exit 2
    unreachable = aws_error(EndpointConnectionError(endpoint_url="http://127.0.0.1:9/"))
    assert isinstance(unreachable, AwsConnectionError)
    assert aws_error(ValueError("a bug")) is None  # surfaces as one


def test_mapped_errors_survive_pickling_and_mapping_is_idempotent() -> None:
    error = aws_error(ClientError({"Error": {"Code": "NoSuchKey", "Message": "m"}}, "GetObject"))
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is AwsNotFound and (copy.code, copy.operation, str(copy)) == (
        "NoSuchKey",
        "GetObject",
        str(error),
    )
    client = mapped(object())
    assert mapped(client) is client
