"""THE one place where a Sendbird answer is checked against the shape the sync relies on.

Every answer's body is parsed here (``parsed``: one that is not JSON at all is not Sendbird's API,
said in one plain line), and every 2xx body is checked here before anything reads it: a listing
(``GET /live-events``, ``GET /rooms``) has its list key holding a list of objects and a ``next`` that
is a string or null; a single parent (``GET /live-events/{id}``, ``GET /rooms/{id}``) is wrapped as
documented; every recording has its id and status as strings, its times as integers in milliseconds
after 2001 (a time in seconds reads as 1970 in milliseconds: refused, never trusted) and its
``byte_size`` an integer when present. Anything else raises ``UnexpectedAnswerError`` naming the
endpoint and what was wrong: a changed answer is an error, never "nothing to copy".

Typed parsing by hand, not a validation library: the scheduled function's archive is this package
and its pure-Python dependencies, and the shapes are few and small. Fields the sync does not read
are not checked (Sendbird may add fields at will). A message shows field names, types and numbers,
never a string from the body (it may be anything, a secret included).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sendbird_copy.errors import NotSendbirdAnswerError, UnexpectedAnswerError
from sendbird_copy.redact import shorten

# A time before this (2001-01-01T00:00:00Z in ms) is not Sendbird's: most likely seconds, not ms.
MIN_TRUSTED_MS = 978_307_200_000
# ... and one after this (3000-01-01) is not either (microseconds?); datetime stops at year 9999.
MAX_TRUSTED_MS = 32_503_680_000_000

# Per listing path: the list key of the listing, the key of the single-parent answer, the id field.
LISTING_KEYS = {"/live-events": "live_events", "/rooms": "rooms"}
DETAIL_KEYS = {"/live-events": "live_event", "/rooms": "room"}
ID_FIELDS = {"/live-events": "live_event_id", "/rooms": "room_id"}
# When a parent began, as the window's listings filter on it: a live event's start, a room's creation.
BEGAN_FIELDS = {"/live-events": "started_at", "/rooms": "created_at"}


@dataclass(frozen=True)
class RecordingAnswer:
    """One entry of a parent's ``cloud_recordings``, checked."""

    recording_id: str
    status: str
    started_at: datetime | None
    stopped_at: datetime | None
    byte_size: int | None


@dataclass(frozen=True)
class ParentAnswer:
    """A live event or a room as a listing or a single GET shows it, checked."""

    parent_id: str
    state: str | None
    recordings: tuple[RecordingAnswer, ...]
    began: datetime | None = None
    about: Mapping[str, Any] | None = None  # descriptive fields for the manifest (``_about``)


@dataclass(frozen=True)
class Page:
    """One page of a listing and the ``next`` token of the following one (None on the last)."""

    parents: tuple[ParentAnswer, ...]
    next: str | None


# What a non-JSON answer looks like, by content type: said in words, its body never shown.
_CONTENT_KINDS = {"text/html": "an HTML page", "text/plain": "plain text", "application/xml": "XML"}


def parsed(status: int, content_type: str, data: bytes) -> Any:
    """Any answer's body as JSON (None when empty). One that is not JSON at all is not Sendbird's
    API (a gateway's HTML page, a proxy's text): ``NotSendbirdAnswerError``, in one plain line."""
    if not data.strip():
        return None
    try:
        return json.loads(data)
    except ValueError:
        pass
    media = content_type.split(";")[0].strip().lower()
    shown = media[:60] if media.isascii() and media.isprintable() else ""
    kind = _CONTENT_KINDS.get(shown) or (
        f"an answer of type {shown}" if shown else "an answer without a content type"
    )
    raise NotSendbirdAnswerError(
        status=status, code=None, type=None, message=f"not a Sendbird API answer: {kind}"
    )


def listing_page(path: str, body: Any) -> Page:
    """``GET /live-events`` or ``GET /rooms``: ``{"<list key>": [...], "next": str | null}``."""
    endpoint = f"GET {path}"
    key = LISTING_KEYS[path]
    data = _object(endpoint, body)
    if key not in data:
        raise _wrong(endpoint, f"the list '{key}' is missing ({_keys(data)})")
    items = data[key]
    if not isinstance(items, list):
        raise _wrong(endpoint, f"'{key}' is {_kind(items)}, not a list")
    following = data.get("next")
    if following is not None and not isinstance(following, str):
        raise _wrong(endpoint, f"'next' is {_kind(following)}, not a string or null")
    parents = tuple(_parent(_At(endpoint, f"{key}[{i}]"), path, item) for i, item in enumerate(items))
    return Page(parents, following or None)


def single_parent(path: str, parent_id: str, body: Any) -> ParentAnswer:
    """``GET /live-events/{id}`` (``{"live_event": {...}}``) or ``GET /rooms/{id}`` (``{"room": ...}``)."""
    endpoint = f"GET {path}/{shorten(parent_id, 60)}"
    key = DETAIL_KEYS[path]
    data = _object(endpoint, body)
    if key not in data:
        raise _wrong(endpoint, f"'{key}' is missing ({_keys(data)})")
    return _parent(_At(endpoint, key), path, data[key])


def accepted(endpoint: str, body: Any) -> dict[str, Any]:
    """A copy's answer: any JSON object (its fields are undocumented, kept as they are); an empty
    body counts as an empty object. Another JSON value is not an acceptance we can read."""
    if body is None:
        return {}
    return _object(endpoint, body)


def application(endpoint: str, app_id: str, body: Any) -> dict[str, Any]:
    """The Organization API's application (``{"app_id", "region": {"region_key", "region_name"}}``):
    the application asked for, its ``region.region_key`` a non-empty string (the region check maps
    it), ``region_name`` a string when present. Another application's answer is refused too."""
    data = _object(endpoint, body)
    where = _At(endpoint, "region")
    if data.get("app_id") != app_id:
        shown = "another application" if isinstance(data.get("app_id"), str) else _kind(data.get("app_id"))
        raise _wrong(endpoint, f"'app_id' is {shown}, not the application asked for")
    region = data.get("region")
    if not isinstance(region, dict):
        raise _wrong(endpoint, f"'region' is {_kind(region)}, not an object")
    key, name = region.get("region_key"), region.get("region_name")
    if not isinstance(key, str) or not key:
        raise where.wrong(f"'region_key' is {_kind(key)}, not a non-empty string")
    if name is not None and not isinstance(name, str):
        raise where.wrong(f"'region_name' is {_kind(name)}, not a string")
    return data


@dataclass(frozen=True)
class _At:
    """Where in which answer: the endpoint and the field's path in its body."""

    endpoint: str
    field: str

    def inside(self, name: str) -> _At:
        return _At(self.endpoint, f"{self.field}.{name}")

    def wrong(self, problem: str) -> UnexpectedAnswerError:
        sep = " " if problem.startswith("is ") else ": "
        return UnexpectedAnswerError(self.endpoint, f"{self.field}{sep}{problem}")


def _parent(where: _At, path: str, item: Any) -> ParentAnswer:
    if not isinstance(item, dict):
        raise where.wrong(f"is {_kind(item)}, not an object")
    id_field = ID_FIELDS[path]
    parent_id = item.get(id_field)
    if not isinstance(parent_id, str) or not parent_id:
        raise where.wrong(f"'{id_field}' is {_kind(parent_id)}, not a non-empty string")
    state = item.get("state")
    if state is not None and not isinstance(state, str):
        raise where.wrong(f"'state' is {_kind(state)}, not a string")
    listed = item.get("cloud_recordings")
    if listed is None:
        listed = []
    if not isinstance(listed, list):
        raise where.wrong(f"'cloud_recordings' is {_kind(listed)}, not a list")
    recordings = tuple(_recording(where.inside(f"cloud_recordings[{i}]"), r) for i, r in enumerate(listed))
    return ParentAnswer(parent_id, state, recordings, _time(where, item, BEGAN_FIELDS[path]), _about(item))


# Descriptive fields a manifest keeps when the listing gives them (a live event's title and hosts,
# who created a room). They decide nothing, so they are kept leniently: one of another type is left out.
ABOUT_TEXT_FIELDS = ("title", "host_type", "created_by")
ABOUT_LIST_FIELDS = ("user_ids_for_host",)


def _about(item: Mapping[str, Any]) -> dict[str, Any]:
    about: dict[str, Any] = {k: item[k] for k in ABOUT_TEXT_FIELDS if isinstance(item.get(k), str)}
    for name in ABOUT_LIST_FIELDS:
        value = item.get(name)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            about[name] = list(value)
    return about


def _recording(where: _At, item: Any) -> RecordingAnswer:
    if not isinstance(item, dict):
        raise where.wrong(f"is {_kind(item)}, not an object")
    for name in ("recording_id", "status"):
        value = item.get(name)
        if not isinstance(value, str) or not value:
            raise where.wrong(f"'{name}' is {_kind(value)}, not a non-empty string")
    size = item.get("byte_size")
    if size is not None and (not _is_int(size) or size < 0):
        raise where.wrong(f"'byte_size' is {_kind(size)}, not a whole number of bytes")
    return RecordingAnswer(
        recording_id=item["recording_id"],
        status=item["status"],
        started_at=_time(where, item, "started_at"),
        stopped_at=_time(where, item, "stopped_at"),
        byte_size=size,
    )


def _time(where: _At, item: Mapping[str, Any], name: str) -> datetime | None:
    """Unix milliseconds (documented); absent or null: unknown. A number that reads as a date before
    2001 (seconds sent as milliseconds) or after 3000 is refused, not trusted."""
    value = item.get(name)
    if value is None:
        return None
    if not _is_int(value):
        raise where.wrong(f"'{name}' is {_kind(value)}, not whole Unix milliseconds")
    if not MIN_TRUSTED_MS <= value <= MAX_TRUSTED_MS:
        raise where.wrong(
            f"'{name}' is {value}: not Unix milliseconds between 2001 and 3000 (seconds instead of ms?)",
        )
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def _object(endpoint: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _wrong(endpoint, f"the answer is {_kind(body)}, not a JSON object")
    if body.get("error") is True:
        # Sendbird's error object with a 2xx status: an error, whatever the status says.
        code = body.get("code")
        shown = f" (code {code})" if _is_int(code) else ""
        raise _wrong(endpoint, f"the answer is Sendbird's error object{shown}, with a 2xx status")
    return body


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    """A value's JSON type, for a message (never the value: it may be anything)."""
    if value is None:
        return "missing or null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _keys(data: Mapping[str, Any]) -> str:
    names = ", ".join(shorten(str(k), 40) for k in list(data)[:8])
    return f"its keys: {names}" if names else "it is an empty object"


def _wrong(endpoint: str, problem: str) -> UnexpectedAnswerError:
    return UnexpectedAnswerError(endpoint, problem)
