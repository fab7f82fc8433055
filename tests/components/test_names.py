"""Every name the program asks AWS for is within AWS's limit for its type, for the longest app id the
app-id rule allows, and two applications whose long ids share their first 50 characters still get
names of their own. Run through ``__main__.py`` (which names each component by the lowercased app
id) under recording mocks; the mocks add what Pulumi and the provider add (``<name>-<7 hex>`` for
an autoname, 26 characters to a bucket or IAM name prefix)."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest

from components import RecordingStorage, RecordingStorageArgs, RecordingSync, RecordingSyncArgs
from components.naming import (
    MAX_BUCKET_PREFIX,
    MAX_IAM_NAME,
    MAX_IAM_PATH,
    MAX_IAM_ROLE_PREFIX,
    MAX_INLINE_POLICY_NAME,
    MAX_KMS_ALIAS,
)
from components.type_tokens import (
    BUCKET,
    DASHBOARD,
    IAM_ROLE,
    IAM_USER,
    KMS_ALIAS,
    LAMBDA_FUNCTION,
    LOG_GROUP,
    QUEUE,
    ROLE_POLICY,
    SCHEDULE,
    SECRET,
    USER_POLICY,
)
from sendbird_copy.facts import APP_ID_MAX_LENGTH, is_valid_app_id
from sendbird_copy.facts import CONFIG_NAMESPACE as NAMESPACE
from sendbird_copy.rules import check_bucket_name
from tests.components.pulumi_mocks import RecordingMocks, StackRun, run_component, run_stack

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
SHARED = ("Sendbird-App-" + "7E4D3A4C8B" * 5)[:50]
FIRST, SECOND = SHARED + "-first-01", SHARED + "-second-2"
IAM_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
KMS_ALIAS_NAME = re.compile(r"alias/[A-Za-z0-9/_-]+")


@pytest.fixture(scope="module")
def run() -> StackRun:
    assert len(FIRST) == len(SECOND) == APP_ID_MAX_LENGTH
    assert is_valid_app_id(FIRST) and is_valid_app_id(SECOND) and FIRST[:50] == SECOND[:50]
    role = {"sendbird_principal": "111122223333", "external_id": "sb-ext-42"}
    apps = [{"app_id": FIRST, "region": "ap-2"}, {"app_id": SECOND, "region": "ap-2"}]
    config = {f"{NAMESPACE}:applications": apps, f"{NAMESPACE}:upload_role": role}
    return run_stack(config, stack="a-rather-long-stack-name-for-staging")


def _of(run: StackRun, typ: str, app_id: str) -> Any:
    return run.mocks.one(typ, app_id.lower())


@pytest.mark.parametrize("app_id", [FIRST, SECOND])
def test_every_name_is_within_its_limit(run, app_id):
    user, role = _of(run, IAM_USER, app_id), _of(run, IAM_ROLE, app_id)
    for identity in (user, role):
        name = identity.state["name"]  # as IAM would have it, suffixes included
        assert len(name) <= MAX_IAM_NAME and IAM_NAME.fullmatch(name), name
        assert len(identity.inputs["path"]) <= MAX_IAM_PATH
    assert len(user.inputs["name"]) <= MAX_IAM_NAME  # an explicit name: autonaming would not fit
    assert "name" not in role.inputs and len(role.inputs["namePrefix"]) <= MAX_IAM_ROLE_PREFIX
    alias = _of(run, KMS_ALIAS, app_id).inputs["name"]
    assert len(alias) <= MAX_KMS_ALIAS and KMS_ALIAS_NAME.fullmatch(alias)
    bucket = _of(run, BUCKET, app_id)
    assert len(bucket.inputs["bucketPrefix"]) <= MAX_BUCKET_PREFIX
    assert check_bucket_name("bucket_name", bucket.state["bucket"])
    for typ in (USER_POLICY, ROLE_POLICY):
        policy_name = _of(run, typ, app_id).inputs["name"]
        assert len(policy_name) <= MAX_INLINE_POLICY_NAME and IAM_NAME.fullmatch(policy_name)


@pytest.mark.parametrize("app_id", [FIRST, SECOND])
def test_names_stay_recognisable(run, app_id):
    start = app_id.lower()[:20]
    assert _of(run, IAM_USER, app_id).state["name"].startswith(start)
    assert _of(run, IAM_ROLE, app_id).inputs["namePrefix"].startswith(start)
    assert _of(run, BUCKET, app_id).inputs["bucketPrefix"].startswith(start)
    assert app_id.lower() in _of(run, KMS_ALIAS, app_id).inputs["name"]


def test_long_ids_sharing_50_characters_get_different_names(run):
    def names(app_id: str) -> dict[str, str]:
        return {
            "user": _of(run, IAM_USER, app_id).state["name"],
            "role prefix": _of(run, IAM_ROLE, app_id).inputs["namePrefix"],
            "role": _of(run, IAM_ROLE, app_id).state["name"],
            "alias": _of(run, KMS_ALIAS, app_id).inputs["name"],
            # The prefix is only cut (a changed prefix would replace a bucket); S3's unique suffix
            # keeps the names apart.
            "bucket": _of(run, BUCKET, app_id).state["bucket"],
        }

    first, second = names(FIRST), names(SECOND)
    for kind in first:
        assert first[kind] != second[kind], kind
    assert len({*first.values(), *second.values()}) == 2 * len(first)


def test_the_same_id_in_two_stacks_gets_two_user_names():
    """IAM users take no name_prefix: the explicit name's hash covers the stack, so dev and staging of
    one application in one account never collide."""
    config = {f"{NAMESPACE}:applications": [{"app_id": FIRST, "region": "ap-2"}]}
    dev, staging = run_stack(config, stack="dev"), run_stack(config, stack="staging")
    assert _of(dev, IAM_USER, FIRST).inputs["name"] != _of(staging, IAM_USER, FIRST).inputs["name"]


# -- issue 19 item 5: names that clean to the same text -------------------------------------------
COLLIDING = {
    "accents": ("recordings-é", "recordings-è"),  # both cleaned to "recordings"
    "slash and hyphen": ("team/rec", "team-rec"),  # the first cleaned to the second
}
EXPLICIT_NAMES = {  # what each child is called in AWS: explicit names without a random part
    IAM_USER: "name",
    KMS_ALIAS: "name",
    LOG_GROUP: "name",
    DASHBOARD: "dashboardName",
}


def _explicit_names(component_names: tuple[str, ...], stack: str = "test") -> dict[str, dict[str, str]]:
    """RecordingStorage and RecordingSync of each name, in one program under the mocks: per name,
    the AWS name each child of EXPLICIT_NAMES got."""
    mocks = RecordingMocks()

    def build() -> None:
        for name in component_names:
            storage = RecordingStorage(name, RecordingStorageArgs(app_id=APP_ID, region="ap-1"))
            RecordingSync(name, RecordingSyncArgs(storage=storage, api_token=pulumi.Output.secret("t" * 40)))

    run_component(build, mocks, stack=stack)
    found: dict[str, dict[str, str]] = {}
    for name in component_names:
        found[name] = {}
        for typ, field in EXPLICIT_NAMES.items():
            (record,) = [r for r in mocks.of_type(typ) if r.name.startswith(f"{name}-")]
            found[name][typ] = record.state.get("name") or record.inputs[field]
    return found


@pytest.mark.parametrize("pair", list(COLLIDING.values()), ids=list(COLLIDING))
def test_component_names_that_clean_alike_get_names_of_their_own(pair):
    """They shared the copy user's name and the KMS alias (and the log group, the dashboard): the
    second failed at `pulumi up`, or overwrote the first's dashboard. Now a cleaned name ends in a
    hash of the original."""
    names = _explicit_names(pair)
    first, second = (names[name] for name in pair)
    for typ in EXPLICIT_NAMES:
        assert first[typ] != second[typ], (typ, first[typ])
    user = first[IAM_USER]
    assert len(user) <= MAX_IAM_NAME and IAM_NAME.fullmatch(user), user
    assert KMS_ALIAS_NAME.fullmatch(first[KMS_ALIAS]), first[KMS_ALIAS]


def test_a_name_aws_accepts_as_it_is_keeps_its_names():
    """Only cleaned names change: the others are exactly what earlier versions made (no replacement
    on upgrade)."""
    names = _explicit_names(("team-rec",))["team-rec"]
    assert names[KMS_ALIAS] == "alias/sendbird-recordings/test/team-rec"
    assert names[LOG_GROUP] == "/sendbird-recordings/test/team-rec/sync"
    assert names[DASHBOARD] == "sendbird-recordings-test-team-rec-sync"
    assert names[IAM_USER].startswith("team-rec-copy-user-")  # Pulumi's autoname, as before


def test_a_cleaned_name_differs_between_stacks():
    """IAM users take no name_prefix: the hash covers project and stack, so dev and staging of one
    component with a cleaned name never share a user in one account."""
    dev, staging = _explicit_names(("recordings-é",), "dev"), _explicit_names(("recordings-é",), "staging")
    assert dev["recordings-é"][IAM_USER] != staging["recordings-é"][IAM_USER]


AWS_CHARACTERS = {  # each autonamed kind of name: what AWS takes
    IAM_ROLE: re.compile(r"[\w+=,.@-]{1,64}", re.ASCII),
    LAMBDA_FUNCTION: re.compile(r"[A-Za-z0-9_-]{1,64}"),
    SCHEDULE: re.compile(r"[A-Za-z0-9_.-]{1,64}"),
    QUEUE: re.compile(r"[A-Za-z0-9_-]{1,80}"),
    SECRET: re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}"),
}


@pytest.mark.parametrize("name", ["recordings-é", "team/rec", "日本"])
def test_every_child_of_a_name_aws_refuses_gets_a_name_aws_takes(name):
    """Pulumi's autoname keeps the component's name: 'recordings-é-sync-role-1a2b3c4' is no IAM name,
    and `pulumi up` failed on it. A name outside a kind's characters is cleaned, with a hash."""
    mocks = RecordingMocks()

    def build() -> None:
        storage = RecordingStorage(name, RecordingStorageArgs(app_id=APP_ID, region="ap-1"))
        RecordingSync(name, RecordingSyncArgs(storage=storage, api_token=pulumi.Output.secret("t" * 40)))

    run_component(build, mocks)
    for typ, allowed in AWS_CHARACTERS.items():
        for record in mocks.of_type(typ):
            aws_name = record.state.get("name") or record.id
            assert allowed.fullmatch(aws_name), (typ, aws_name)
