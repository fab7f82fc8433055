"""``rules.check_json_object``: the one reader of a JSON object that two inputs share (the CLI's
``--api-tokens-file`` and the function's copy key secret). Each caller keeps its own words, and
neither shows the value (it may hold a secret)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sendbird_copy import facts
from sendbird_copy.cli.tokens import read_tokens_file
from sendbird_copy.errors import OptionError
from sendbird_copy.rules import check_json_object
from sendbird_copy.sync.function.config import FunctionConfig, read_secrets

SECRET = "s3cr3t-value-never-shown"


@pytest.mark.parametrize("data", ['{"a": 1}', b'{"a": 1}'])
def test_a_json_object_is_returned(data: str | bytes) -> None:
    assert check_json_object(data, "not json", "not object") == {"a": 1}


@pytest.mark.parametrize(
    ("data", "message"),
    [(f"{SECRET} {{", "not json"), (f'["{SECRET}"]', "not object"), ("", "not json"), ("null", "not object")],
)
def test_anything_else_is_refused_in_the_callers_words(data: str, message: str) -> None:
    with pytest.raises(OptionError) as caught:
        check_json_object(data, "not json", "not object")
    assert str(caught.value) == message
    # No JSONDecodeError chained behind it: a traceback would show where in the secret it failed.
    assert caught.value.__context__ is None or caught.value.__suppress_context__


@pytest.mark.parametrize(
    ("text", "problem"),
    [(f"{SECRET} {{", ": is not JSON; expected"), (f'["{SECRET}"]', ": is not a JSON object; expected")],
)
def test_the_tokens_file(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(text)
    with pytest.raises(OptionError) as caught:
        read_tokens_file(str(path))
    message = str(caught.value)
    assert message.startswith("--api-tokens-file ") and problem in message
    assert message.endswith('{"<app id>": "<token>", ...}') and SECRET not in message


class _Secrets:
    def __init__(self, strings: dict[str, str]) -> None:
        self.strings = strings

    def get_secret_value(self, SecretId: str) -> dict[str, Any]:
        return {"SecretString": self.strings[SecretId]}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f"{SECRET} {{", "; it is not JSON (not shown here)"),
        (f'["{SECRET}"]', "; it is JSON of another shape (not shown here)"),
    ],
)
def test_the_copy_key_secret(text: str, problem: str) -> None:
    config = FunctionConfig(
        app_id="app",
        region="us-east-1",
        bucket_name="bucket",
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
        api_token_secret_arn="token-arn",
        copy_key_secret_arn="key-arn",
    )
    secrets = _Secrets({"token-arn": "a" * 40, "key-arn": text})
    with pytest.raises(OptionError) as caught:
        read_secrets(secrets, config)
    message = str(caught.value)
    assert message.startswith(f"the secret named by {facts.ENV_COPY_KEY_SECRET_ARN} must be a JSON object")
    assert problem in message and SECRET not in message
