"""An old copy checked again while it sits in an archive (GLACIER here; Intelligent-Tiering's archive
tiers answer a GET alike): through the ``sendbird-copy sync`` CLI against moto (IAM auth on). The MP4
check cannot read it: reported failed with the restore command, never damaged, never copied again."""

from __future__ import annotations

import dataclasses

from sendbird_copy.sync.archive import restore_command
from tests.sendbird_copy.cli_support import CopyCli
from tests.sendbird_copy.sync.test_sync_damaged import recordings, sync
from tests.sendbird_copy.sync_bed import SyncBed

OTHER_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/00000000-0000-4000-8000-000000000000"


def test_an_archived_old_copy_is_reported_with_its_restore_never_damaged_nor_copied_again(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    bed.add("rec-1")
    first = recordings(sync(copy_cli, bed, "--verify-timeout", "30", "--json"))["rec-1"]
    assert first["outcome"] == "copied", first
    key = first["object"]["key"]
    s3 = bed.moto.client("s3", bed.app.region)
    # The copy moves to GLACIER (as a lifecycle transition would move it) ...
    s3.copy_object(
        Bucket=bed.app.bucket_name,
        Key=key,
        CopySource={"Bucket": bed.app.bucket_name, "Key": key},
        StorageClass="GLACIER",
        MetadataDirective="COPY",
        ServerSideEncryption="aws:kms",  # moto applies no bucket default to a copy
        SSEKMSKeyId=bed.app.kms_key_arn,
    )
    # ... and its ledger entry stops being believed (the record of checked copies is gone and the entry
    # names another key), so the next run checks the object again.
    ledger = bed.ledger()
    s3.delete_object(Bucket=bed.app.bucket_name, Key=f"{ledger.prefix}_run/verified.json")
    stored = ledger.read("rec-1")
    assert stored is not None and stored.entry is not None
    entry = stored.entry
    ledger.write(dataclasses.replace(entry, object={**(entry.object or {}), "kms_key_id": OTHER_KEY}))

    second = sync(copy_cli, bed, "--verify-timeout", "30", "--json")
    result = recordings(second)["rec-1"]
    assert result["outcome"] == "failed", result
    assert "not damaged" in result["reason"] and "GLACIER storage class" in result["reason"], result["reason"]
    assert restore_command(bed.app.bucket_name, key, "GLACIER") in result["reason"]
    assert second.exit_code == 1  # not shown safe: the run does not pass
    assert bed.copy_posts() == {"rec-1": 1}  # the object is in the bucket: never requested again
    after = ledger.read("rec-1")
    assert after is not None and after.entry is not None and after.entry.state == entry.state
