"""Pure naming rules: the AWS names of RecordingStorage's children and the tags every resource gets.

Each generated name stays within AWS's limit for its type, counting the suffix Pulumi or the provider
adds. A name that fits is left exactly as earlier versions made it (so upgrading replaces nothing);
one that would not fit is cut and ends in a short stable hash of the full name (``shortened``), so
two long names that share their beginning still get different names, and each stays recognisable by
that beginning. The bucket prefix of a long name is only cut, as before (see ``bucket_prefix``).

A name that AWS's characters forced us to clean (``recordings-é``, ``team/rec``) also ends in a hash
of the original name (``distinct``): cleaning maps many names to one (``recordings-é`` and
``recordings-è`` both to ``recordings``; ``team/rec`` to ``team-rec``, the name of another component),
and an explicit name without a random part (the copy user, the KMS alias, the log group, the
dashboard) would then collide at ``pulumi up``, or worse, one dashboard would overwrite the other.
Why a hash rather than a refusal at preview: a preview sees one program, while these names must also
stay apart across stacks and projects in one account (a hash of project, stack and name does that),
and a name a user chose keeps working. The cost: a stack deployed with such a name by an earlier
version gets the new names once (the copy user is renamed, which replaces its access key; the alias,
log group and dashboard are replaced). Names AWS accepts as they are never change.

| name | limit | how it is made |
|---|---|---|
| bucket | 63 | ``bucket_prefix`` (<= 37); the provider appends 26 unique characters |
| IAM user | 64 | Pulumi's autoname ``<name>-copy-user-<7 hex>``; if too long, ``copy_user_name`` |
| IAM role | 64 | autoname ``<name>-upload-role-<7 hex>``; if too long, ``name_prefix`` (<= 38) + 26 |
| KMS alias | 256 | ``kms_alias_name``, explicit |
| inline policy | 128 | fixed (``grants.IdentityPolicy``) |
| IAM path | 512 | fixed, ``/sendbird/`` |
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import TypeVar

from sendbird_copy.facts import PROJECT_NAME
from sendbird_copy.rules import COMPONENT_TAG_KEYS, RESERVED_BUCKET_PREFIXES

T = TypeVar("T")

# What the provider appends to a bucket_prefix or an IAM name_prefix: a timestamp and a counter.
PROVIDER_UNIQUE_SUFFIX = 26
# What Pulumi's autonaming appends to a logical name: "-" and 7 random hex digits.
PULUMI_AUTONAME_SUFFIX = 8
MAX_BUCKET_NAME = 63
MAX_BUCKET_PREFIX = MAX_BUCKET_NAME - PROVIDER_UNIQUE_SUFFIX  # 37
MAX_IAM_NAME = 64  # IAM user and role names
MAX_IAM_ROLE_PREFIX = MAX_IAM_NAME - PROVIDER_UNIQUE_SUFFIX  # 38
MAX_KMS_ALIAS = 256
MAX_INLINE_POLICY_NAME = 128
MAX_IAM_PATH = 512
HASH_LENGTH = 8

COPY_USER_SUFFIX = "-copy-user"
UPLOAD_ROLE_SUFFIX = "-upload-role"
_FALLBACK_PREFIX = "recordings-"
# IAM user and role names: letters, digits and +=,.@_-
_IAM_NAME_CHARS = re.compile(r"^[\w+=,.@-]+$", re.ASCII)


def name_hash(*parts: str) -> str:
    """A short stable hash of ``parts`` (8 hex digits: collisions need ~65,000 names sharing a cut)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:HASH_LENGTH]


def shortened(name: str, limit: int, *seed: str) -> str:
    """``name`` when it is at most ``limit`` long; else its beginning (without a trailing '-' or '/'),
    '-' and ``name_hash(*seed)`` (of the full name when no seed is given): ``limit`` characters at most."""
    if len(name) <= limit:
        return name
    digest = name_hash(*(seed or (name,)))
    return f"{name[: limit - HASH_LENGTH - 1].rstrip('-/')}-{digest}"


def distinct(cleaned: str, original: str, limit: int, *seed: str) -> str:
    """``cleaned`` (cut with a hash when longer than ``limit``, as ``shortened``) when cleaning left
    ``original`` as it was; else its beginning, '-' and ``name_hash(*seed)``: two names that clean to
    the same text still get different names. ``seed`` must hold the original name."""
    if cleaned == original:
        return shortened(cleaned, limit, *seed)
    return f"{cleaned[: limit - HASH_LENGTH - 1].rstrip('-/')}-{name_hash(*seed)}"


def bucket_prefix(component_name: str) -> str:
    """A valid ``bucket_prefix`` from the component name: lowercase, a-z0-9 and '-', ends in '-', at
    most 37 characters (S3 names are at most 63, and the provider appends 26).

    A long name is simply cut, with no hash: the provider's unique suffix already makes every bucket
    name unique, and a changed prefix would replace the bucket (``bucket_prefix`` forces a new
    bucket), i.e. risk the recordings of every stack deployed with the earlier rule.
    """
    cleaned = re.sub(r"[^a-z0-9-]+", "-", component_name.lower()).strip("-")
    cleaned = re.sub(r"-{2,}", "-", cleaned)  # also rules out the reserved '--' suffixes
    if not cleaned:
        return _FALLBACK_PREFIX
    prefix = cleaned + "-"
    if prefix.startswith(RESERVED_BUCKET_PREFIXES):
        prefix = "rec-" + prefix
    return prefix[: MAX_BUCKET_PREFIX - 1].rstrip("-") + "-"


LOG_BUCKET_SUFFIX = "-logs-"


def log_bucket_prefix(component_name: str) -> str:
    """The ``bucket_prefix`` of the access-log bucket: the recordings bucket's prefix, cut so that
    ``-logs-`` still fits in 37 characters (``<name>-logs-`` + the provider's 26)."""
    base = bucket_prefix(component_name).rstrip("-")
    return base[: MAX_BUCKET_PREFIX - len(LOG_BUCKET_SUFFIX)].rstrip("-") + LOG_BUCKET_SUFFIX


def _iam_clean(name: str) -> str:
    return re.sub(r"[^\w+=,.@-]+", "-", name, flags=re.ASCII).strip("-") or "recordings"


def _autonamed_fits(logical_name: str) -> bool:
    """Whether Pulumi's autoname of ``logical_name`` is a valid IAM user or role name."""
    return (
        len(logical_name) + PULUMI_AUTONAME_SUFFIX <= MAX_IAM_NAME
        and _IAM_NAME_CHARS.match(logical_name) is not None
    )


def copy_user_name(component_name: str, project: str, stack: str) -> str | None:
    """The copy user's IAM name: None (Pulumi autonames ``<name>-copy-user-<7 hex>``, as before) when
    that fits in 64 valid characters; else ``<cut name>-<hash>-copy-user``, exactly 64 at most.

    IAM users take no name_prefix, so the explicit name has no random part: its hash covers project
    and stack too, so dev and staging of one application in one account never share a user name.
    IAM renames a user in place, so this name never forces a replacement.
    """
    if _autonamed_fits(component_name + COPY_USER_SUFFIX):
        return None
    budget = MAX_IAM_NAME - len(COPY_USER_SUFFIX)
    base = _iam_clean(component_name)
    return distinct(base, component_name, budget, project, stack, component_name) + COPY_USER_SUFFIX


def upload_role_name_prefix(component_name: str) -> str | None:
    """The upload role's IAM ``name_prefix``: None (Pulumi autonames ``<name>-upload-role-<7 hex>``,
    as before) when that fits in 64 valid characters; else ``<cut name>-<hash>-upload-`` (at most 38:
    the provider appends 26 unique characters, so a replacement never collides with the old role)."""
    if _autonamed_fits(component_name + UPLOAD_ROLE_SUFFIX):
        return None
    marker = "-upload-"
    budget = MAX_IAM_ROLE_PREFIX - len(marker)
    return shortened(_iam_clean(component_name), budget, component_name) + marker


def kms_alias_name(stack: str, component_name: str) -> str:
    """``alias/sendbird-recordings/<stack>/<name>``: aliases are unique per account and region, and the
    stack part keeps dev and staging of the same application apart when they share an account. Cut
    to 256 characters with a hash of stack and name when longer."""

    def clean(part: str) -> str:
        return re.sub(r"[^A-Za-z0-9_-]+", "-", part).strip("-") or "default"

    full = f"alias/{PROJECT_NAME}/{clean(stack)}/{clean(component_name)}"
    original = f"alias/{PROJECT_NAME}/{stack}/{component_name}"
    return distinct(full, original, MAX_KMS_ALIAS, stack, component_name)


def default_tags(app_id: str, extra: Mapping[str, T]) -> dict[str, T | str]:
    """Tags on every taggable resource: the caller's tags plus three of ours (cost reports and the
    smoke test find the resources of one application by them). The arguments refuse a caller's tag
    whose key is one of ours in any case (``sendbird_copy.rules.check_tags``), so nothing is overwritten."""
    managed_by, component, sendbird_app_id = COMPONENT_TAG_KEYS
    return {**extra, managed_by: "pulumi", component: PROJECT_NAME, sendbird_app_id: app_id}


# What each kind of name may not contain (replaced by '-' in ``autoname_or_shortened``).
NOT_IN_IAM_NAME = re.compile(r"[^\w+=,.@-]+", re.ASCII)
NOT_IN_FUNCTION_NAME = re.compile(r"[^A-Za-z0-9_-]+")
NOT_IN_SCHEDULE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
NOT_IN_QUEUE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
NOT_IN_SECRET_NAME = re.compile(r"[^A-Za-z0-9/_+=.@-]+")


def autoname_or_shortened(
    logical_name: str, limit: int, *seed: str, not_allowed: re.Pattern[str] | None = None
) -> str | None:
    """None (Pulumi autonames ``<logical_name>-<7 hex>``) when that fits in ``limit`` characters and
    has none of ``not_allowed``; else an explicit name, cleaned and cut to ``limit``, ending in a hash
    of ``seed`` (project, stack, name), so two stacks of one application never share it and two names
    that clean alike stay apart (``distinct``). For resources without a ``name_prefix`` (Lambda
    functions, schedules, queues) and roles named like the copy user."""
    cleaned = logical_name
    if not_allowed is not None:
        cleaned = not_allowed.sub("-", logical_name).strip("-") or "recordings"
    if cleaned == logical_name and len(logical_name) + PULUMI_AUTONAME_SUFFIX <= limit:
        return None
    return distinct(cleaned, logical_name, limit, *seed, logical_name)


def secret_name_part(component_name: str, project: str, stack: str) -> str:
    """The component's part of a Secrets Manager name prefix: the name itself when Secrets Manager
    takes its characters, else cleaned and ending in a hash (``distinct``)."""
    cleaned = NOT_IN_SECRET_NAME.sub("-", component_name).strip("-") or "recordings"
    return distinct(cleaned, component_name, MAX_IAM_NAME, project, stack, component_name)


def log_group_name(project: str, stack: str, component_name: str) -> str:
    """``/<project>/<stack>/<name>/sync`` (``/sendbird-recordings/prod/<app id>/sync`` for this
    repository's program): the scheduled function's log group, named before the function exists (so
    it is created first, with its retention), unique per project, stack and component."""

    def clean(part: str) -> str:
        return re.sub(r"[^A-Za-z0-9_.#-]+", "-", part).strip("-") or "default"

    full = f"/{clean(project)}/{clean(stack)}/{clean(component_name)}/sync"
    original = f"/{project}/{stack}/{component_name}/sync"
    if full == original:
        return shortened(full, 512, project, stack, component_name)
    # Cleaned: the hash goes before "/sync", so the group still ends as every sync's does.
    base = distinct(full.removesuffix("/sync"), original, 512 - len("/sync"), project, stack, component_name)
    return f"{base}/sync"


# -- replication (RecordingStorage's ``replication`` option) ---------------------------------------
REPLICA_BUCKET_SUFFIX = "-replica-"
REPLICATION_ROLE_SUFFIX = "-replication-role"


def replica_bucket_prefix(component_name: str) -> str:
    """The replica bucket's ``bucket_prefix``: the recordings bucket's prefix, cut so that
    ``-replica-`` still fits in 37 characters (``<name>-replica-`` + the provider's 26)."""
    base = bucket_prefix(component_name).rstrip("-")
    return base[: MAX_BUCKET_PREFIX - len(REPLICA_BUCKET_SUFFIX)].rstrip("-") + REPLICA_BUCKET_SUFFIX


def replication_role_name_prefix(component_name: str) -> str | None:
    """The replication role's IAM ``name_prefix``: None (Pulumi autonames
    ``<name>-replication-role-<7 hex>``) when that fits in 64 valid characters; else
    ``<cut name>-<hash>-replication-`` (at most 38, as the upload role's)."""
    if _autonamed_fits(component_name + REPLICATION_ROLE_SUFFIX):
        return None
    marker = "-replication-"
    budget = MAX_IAM_ROLE_PREFIX - len(marker)
    return shortened(_iam_clean(component_name), budget, component_name) + marker
