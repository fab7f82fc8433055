"""What the scheduled sync function finds around it, built in moto for its tests: a destination
(bucket with SSE-KMS, key, copy user: ``aws_builders.build_destination``), its application in the
emulator, the two Secrets Manager secrets, and the function's environment (names and ARNs only)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from localdev.moto_server import MotoServer
from localdev.sendbird_emulator import SendbirdEmulator
from sendbird_copy import facts
from tests.sendbird_copy.aws_builders import Destination, build_destination

REGION = "ap-northeast-1"
SENDBIRD_REGION_KEY = "ap-1"  # the Sendbird region that runs in REGION
FUNCTION_TOKEN = "scheduled-api-token-5ecr3t-fedcba9876543210"
DAY = 86_400.0
SIZE = 16 * 1024  # bytes per recording (seeding: half to all of it): real MP4s, small all the same


@dataclass
class FunctionWorld:
    moto: MotoServer
    emulator: SendbirdEmulator
    dest: Destination
    token_secret_arn: str
    copy_key_secret_arn: str
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def app_id(self) -> str:
        return self.dest.app_id

    def secrets(self) -> list[str]:
        """Every secret of this world: none may appear in any log line."""
        return [FUNCTION_TOKEN, self.dest.secret_access_key, self.moto.deployer.secret_access_key]

    def add(self, recording_id: str, status: str = "completed", age_days: float = 1.0, **kwargs: Any) -> None:
        stopped = self.emulator.clock() - age_days * DAY
        self.emulator.add_recording(
            self.app_id, recording_id, status=status, byte_size=SIZE, stopped_at=stopped, **kwargs
        )

    def copy_posts(self) -> dict[str, int]:
        return self.emulator.copy_posts(self.app_id)


def function_world(moto: MotoServer, emulator: SendbirdEmulator) -> FunctionWorld:
    """The destination, the application (token FUNCTION_TOKEN), both secrets, the environment."""
    dest = build_destination(moto, region=REGION, versioning=True)
    emulator.add_application(dest.app_id, FUNCTION_TOKEN, SENDBIRD_REGION_KEY)
    secrets = moto.client("secretsmanager", REGION)
    token_arn = secrets.create_secret(Name=f"{dest.app_id}/sendbird-api-token", SecretString=FUNCTION_TOKEN)[
        "ARN"
    ]
    copy_key = {
        facts.COPY_KEY_ID_FIELD: dest.access_key_id,
        facts.COPY_KEY_SECRET_FIELD: dest.secret_access_key,
    }
    copy_key_arn = secrets.create_secret(Name=f"{dest.app_id}/copy-key", SecretString=json.dumps(copy_key))[
        "ARN"
    ]
    environment = {
        facts.ENV_APP_ID: dest.app_id,
        facts.ENV_BUCKET_NAME: dest.bucket,
        facts.ENV_KMS_KEY_ARN: dest.kms_key_arn,
        facts.ENV_API_TOKEN_SECRET_ARN: token_arn,
        facts.ENV_COPY_KEY_SECRET_ARN: copy_key_arn,
        facts.ENV_WARN_DAYS: "3",
        facts.ENV_METRICS_NAMESPACE: facts.METRICS_NAMESPACE,
        facts.ENV_API_BASE_URL: emulator.base_url,
    }
    return FunctionWorld(moto, emulator, dest, token_arn, copy_key_arn, environment)
