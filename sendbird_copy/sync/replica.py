"""Has a copied recording reached the replica (the storage's ``replication`` option)?

S3 answers on the source object: HeadObject's ``ReplicationStatus`` is PENDING until the replica is
written, COMPLETED after, FAILED when S3 gave up. Where S3 gives none (an object written before the
replication rule, or an emulator: moto stores a replication configuration but never replicates nor
sets the status), the replica bucket is asked directly: HeadObject of the same key there, with the
operator's credentials. At most two HeadObject requests per recording, never a read of the bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sendbird_copy.errors import AwsNotFound, describe, is_service_error

# What ``replica_state`` says, one word each.
REACHED = "reached"  # the replica holds the object
PENDING = "pending"  # S3 has not replicated it yet (minutes; within 15 with replication time control)
FAILED = "failed"  # S3 gave up: this object has no second copy
NOT_YET = "not yet"  # S3 gives no status and the replica has no such object
UNKNOWN = "unknown"  # a request failed: nothing is known

# S3's ReplicationStatus of a source object -> our word. REPLICA marks an object that is itself a
# replica (a two-way setup): it is there.
_BY_STATUS = {"COMPLETED": REACHED, "PENDING": PENDING, "FAILED": FAILED, "REPLICA": REACHED}


def state_from_status(status: Any) -> str | None:
    """Our word for S3's ``ReplicationStatus``; None when S3 gave none (look at the replica)."""
    if status is None or status == "":
        return None
    return _BY_STATUS.get(str(status).upper(), UNKNOWN)


def state_from_replica(found: bool) -> str:
    """Our word for a HeadObject of the key in the replica bucket: there, or not (yet)."""
    return REACHED if found else NOT_YET


@dataclass(frozen=True)
class ReplicaState:
    """Where one object stands in the replica: ``state`` (one of the words above) and why."""

    state: str
    detail: str

    @property
    def failed(self) -> bool:
        return self.state == FAILED


def replica_state(
    source_s3: Any,
    bucket: str,
    key: str,
    replica_bucket: str,
    replica_s3: Callable[[], Any],
    source_head: dict[str, Any] | None = None,
) -> ReplicaState:
    """Where ``key`` of ``bucket`` stands in ``replica_bucket``: S3's ReplicationStatus from the
    source's HeadObject (``source_head`` when the caller has it already), else a HeadObject in the
    replica (``replica_s3()``, a mapped client in the replica's region). Service errors are
    ``unknown``, never raised; anything else (a bug) goes up."""
    where = f"s3://{replica_bucket}/{key}"
    try:
        head = source_head if source_head is not None else source_s3.head_object(Bucket=bucket, Key=key)
    except Exception as exc:
        if not is_service_error(exc):
            raise
        return ReplicaState(UNKNOWN, f"could not read s3://{bucket}/{key}: {describe(exc)}")
    status = head.get("ReplicationStatus")
    state = state_from_status(status)
    if state is not None:
        return ReplicaState(state, _said(state, status, where))
    try:
        replica_s3().head_object(Bucket=replica_bucket, Key=key)
        found = True
    except AwsNotFound:
        found = False
    except Exception as exc:
        if not is_service_error(exc):
            raise
        return ReplicaState(UNKNOWN, f"could not read {where}: {describe(exc)}")
    state = state_from_replica(found)
    if found:
        return ReplicaState(state, f"{where} exists (S3 reported no replication status)")
    return ReplicaState(
        state,
        f"{where} does not exist yet and S3 reported no replication status for the source (an object "
        "written before the replication rule is never replicated; an emulator never replicates)",
    )


def _said(state: str, status: Any, where: str) -> str:
    if state == REACHED:
        return f"S3 replicated it to {where} (ReplicationStatus {status})"
    if state == PENDING:
        return (
            f"S3 has not replicated it to {where} yet (ReplicationStatus PENDING): replication takes "
            "minutes, within 15 with replication time control"
        )
    if state == FAILED:
        return (
            f"S3 could not replicate it to {where} (ReplicationStatus FAILED): check the replication "
            "role's policy, both keys and the replica bucket; the replication-failed alarm says when"
        )
    return f"S3 reported ReplicationStatus {status!r}, which this tool does not know"
