"""``link`` for a recording in an archive: no URL (it would fail with InvalidObjectState), but where
the object is and the command that restores it; a restored one gets its URL. HeadObject's answers
as S3 gives them (moto keeps no Intelligent-Tiering tier, so a stand-in presigner answers)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sendbird_copy.lookup.link import Archived, Place, presign
from sendbird_copy.sync.archive import restore_command

PLACE = Place("app-1", "recordings-bucket", "rec-1", "live/rec 1.mp4", "manifest")
NOW = datetime(2026, 12, 7, tzinfo=UTC)


class Presigner:
    """HeadObject answers ``head``; a URL is presigned only when asked for."""

    def __init__(self, head: dict[str, Any]) -> None:
        self.head = {"ContentLength": 10, **head}
        self.presigned = 0

    def head_object(self, **_: Any) -> dict[str, Any]:
        return self.head

    def generate_presigned_url(self, *_: Any, **__: Any) -> str:
        self.presigned += 1
        return "https://example.invalid/url"


@pytest.mark.parametrize(
    ("head", "where", "took"),
    [
        (
            {"StorageClass": "INTELLIGENT_TIERING", "ArchiveStatus": "ARCHIVE_ACCESS"},
            "ARCHIVE_ACCESS",
            "3-5 hours",
        ),
        (
            {"StorageClass": "INTELLIGENT_TIERING", "ArchiveStatus": "DEEP_ARCHIVE_ACCESS"},
            "DEEP_ARCHIVE_ACCESS",
            "up to 12 hours",
        ),
        ({"StorageClass": "GLACIER"}, "GLACIER", "3-5 hours"),
        ({"StorageClass": "DEEP_ARCHIVE"}, "DEEP_ARCHIVE", "up to 12 hours"),
    ],
)
def test_an_archived_recording_gets_its_restore_command_not_a_url(head, where, took):
    presigner = Presigner(head)
    with pytest.raises(Archived) as err:
        presign(presigner, PLACE, 3600, NOW, (False, None))
    message = str(err.value)
    assert presigner.presigned == 0
    assert message.startswith("recording rec-1: no URL, it would fail until the object is restored")
    assert where in message and took in message
    command = restore_command(PLACE.bucket, PLACE.key, where)
    assert command in message and "'live/rec 1.mp4'" in command  # the key quoted for a shell
    if where.endswith("_ACCESS"):
        assert command.endswith("--restore-request '{}'")  # Intelligent-Tiering takes no Days
    else:
        assert '"Days":7' in command and '"Tier":"Standard"' in command


def test_a_restore_under_way_says_so():
    presigner = Presigner({"StorageClass": "GLACIER", "Restore": 'ongoing-request="true"'})
    with pytest.raises(Archived, match="its restore is under way"):
        presign(presigner, PLACE, 3600, NOW, (False, None))


@pytest.mark.parametrize(
    "head",
    [
        {
            "StorageClass": "GLACIER",
            "Restore": 'ongoing-request="false", expiry-date="Fri, 11 Dec 2026 00:00:00 GMT"',
        },
        {"StorageClass": "INTELLIGENT_TIERING"},  # a frequent or infrequent access tier
        {"StorageClass": "GLACIER_IR"},  # instant retrieval needs no restore
        {},
    ],
)
def test_a_readable_recording_gets_its_url(head):
    presigner = Presigner(head)
    report = presign(presigner, PLACE, 3600, NOW, (False, None))
    assert presigner.presigned == 1 and report.url == "https://example.invalid/url"
