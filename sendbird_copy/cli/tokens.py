"""Sendbird API tokens, one per application: Sendbird's tokens belong to one application each, and
application B's host refuses A's token. Where each comes from, first found wins:

1. ``--api-tokens-file FILE``: a JSON object ``{"<app id>": "<token>", ...}``;
2. ``SENDBIRD_API_TOKEN_<APP_ID>``: the application id with each '-' as '_';
3. ``SENDBIRD_API_TOKEN``: only when the run has one application.

A value that is a Secrets Manager ARN (``arn:aws:secretsmanager:...``, the scheduled function's own
token secret for example) is read from there with the deployer's credentials. A run with an
application and no token stops before any work (exit 2), naming the application and the ways to
give it one; a token is never shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sendbird_copy.errors import OptionError, ServiceError
from sendbird_copy.rules import check_json_object, check_secret, check_token_secret_arn, shorten

TOKEN_ENV = "SENDBIRD_API_TOKEN"
TOKEN_ENV_PREFIX = "SENDBIRD_API_TOKEN_"
TOKENS_FILE_FLAG = "--api-tokens-file"
SECRET_ARN_PREFIX = "arn:aws:secretsmanager:"
MAX_TOKENS_FILE_BYTES = 1_000_000


def token_env_name(app_id: str) -> str:
    """``SENDBIRD_API_TOKEN_<APP_ID>``, the id's '-' as '_' (a '-' cannot be in a shell variable)."""
    return TOKEN_ENV_PREFIX + app_id.replace("-", "_")


def env_token_values(environ: Mapping[str, str]) -> list[str]:
    """Every token the environment holds, to be masked from the first line printed."""
    return [v.strip() for k, v in environ.items() if k == TOKEN_ENV or k.startswith(TOKEN_ENV_PREFIX)]


def read_tokens_file(path: str) -> dict[str, str]:
    """``--api-tokens-file``: a JSON object of application id -> token (values never shown)."""
    if not path.strip():  # "" opens the working directory: say what is wrong instead
        raise OptionError(f"{TOKENS_FILE_FLAG} is empty. Allowed: a JSON file of application id -> token")
    where = f"{TOKENS_FILE_FLAG} {shorten(path)}"
    try:
        with Path(path).open("rb") as file:
            data = file.read(MAX_TOKENS_FILE_BYTES + 1)
    except OSError as exc:
        raise OptionError(f"{where}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    except ValueError:  # a NUL byte in the path
        raise OptionError(f"{where}: is not a usable file name") from None
    if len(data) > MAX_TOKENS_FILE_BYTES:
        raise OptionError(f"{where}: is larger than {MAX_TOKENS_FILE_BYTES} bytes")
    expected = 'expected {"<app id>": "<token>", ...}'
    tokens = check_json_object(
        data, f"{where}: is not JSON; {expected}", f"{where}: is not a JSON object; {expected}"
    )
    wrong = [shorten(str(k), 60) for k, v in tokens.items() if not isinstance(v, str)]
    if wrong:
        raise OptionError(f"{where}: the token of {', '.join(wrong)} is not a string (not shown)")
    return tokens


def api_tokens(
    app_ids: list[str],
    environ: Mapping[str, str],
    tokens_file: str | None,
    read_secret: Callable[[str], str],
) -> dict[str, str]:
    """Each application's token, checked (``rules.check_secret``); an ``OptionError`` naming every
    application without one. ``read_secret(arn)`` reads a Secrets Manager secret's string."""
    from_file = read_tokens_file(tokens_file) if tokens_file is not None else {}
    tokens: dict[str, str] = {}
    missing: list[str] = []
    for app_id in app_ids:
        found = _found(app_id, len(app_ids), environ, from_file, tokens_file)
        if found is None:
            missing.append(app_id)
            continue
        name, value = found
        if value.strip().startswith(SECRET_ARN_PREFIX):
            arn = check_token_secret_arn(name, value)
            name, value = f"the secret {shorten(arn)} (named by {name})", _secret(read_secret, arn, name)
        tokens[app_id] = check_secret(name, value)
    if missing and len(app_ids) == 1:
        raise OptionError(
            f"{TOKEN_ENV} is empty or not set: the copy call needs the application's API token "
            f"(or {token_env_name(missing[0])}, or {TOKENS_FILE_FLAG} FILE)"
        )
    if missing:
        names = ", ".join(shorten(a, 60) for a in missing)
        raise OptionError(
            f"no Sendbird API token for application {names}: Sendbird's tokens are per application. "
            f"Give each one in {TOKENS_FILE_FLAG} FILE (a JSON object app id -> token) or in "
            f"{token_env_name(missing[0])} (the id's '-' as '_'); {TOKEN_ENV} alone serves a run of "
            "one application (--app-id)"
        )
    return tokens


def _found(
    app_id: str, count: int, environ: Mapping[str, str], from_file: dict[str, Any], tokens_file: str | None
) -> tuple[str, str] | None:
    """(where the token came from, the token) or None."""
    if from_file.get(app_id, "").strip():
        return f"{TOKENS_FILE_FLAG} {shorten(tokens_file or '')}, entry {shorten(app_id)}", from_file[app_id]
    env_name = token_env_name(app_id)
    if environ.get(env_name, "").strip():
        return env_name, environ[env_name]
    if count == 1 and environ.get(TOKEN_ENV, "").strip():
        return TOKEN_ENV, environ[TOKEN_ENV]
    return None


def _secret(read_secret: Callable[[str], str], arn: str, name: str) -> str:
    try:
        return read_secret(arn.strip())
    except ServiceError as exc:
        from sendbird_copy.errors import aws_error_code

        why = aws_error_code(exc) or type(exc).__name__
        raise OptionError(f"{name}: the secret {shorten(arn.strip())} cannot be read ({why})") from None
