"""Sendbird API clients on ``requests``: the Calls/Live API (copy, listings) and the Organization API.

Both clients share one private core (``_HttpCore``): a session with urllib3 ``Retry`` for 429/5xx and
connection errors, timeouts, and one place that turns failures into the typed errors of
``sendbird_copy.errors`` with every secret masked. The facts followed here are in sendbird_facts.py.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

from sendbird_copy import __version__
from sendbird_copy.errors import (
    NotSendbirdAnswerError,
    RateLimitedError,
    SendbirdApiError,
    SendbirdConnectionError,
    SendbirdCopyError,
    SendbirdTimeoutError,
    UsageError,
)
from sendbird_copy.facts import (
    API_BASE_URL_TEMPLATE,
    APP_ID_ALLOWED,
    MAX_PAGE_LIMIT,
    ORG_API_BASE_URL,
    api_base_url,
    is_valid_app_id,
)
from sendbird_copy.redact import display_host, display_url, redact

if TYPE_CHECKING:
    from sendbird_copy.outputs import AppOutputs

log = logging.getLogger(__name__)

Throttle = Callable[[str], contextlib.AbstractContextManager[None]]

DEFAULT_TIMEOUT: tuple[float, float] = (3.05, 30.0)
RETRY_STATUSES = (429, 500, 502, 503, 504)
# find_recording reads at most this many pages of each listing: 20 x 100 = 2,000 live events and
# 2,000 rooms, 40 GETs (about 4 s at the documented 10 GET/s). Past that the copy call decides.
FIND_MAX_PAGES = 20
_ERROR_TEXT_CHARS = 200
RETRY_WAIT_WORTH_A_LINE = 5.0  # seconds; a shorter wait between retries passes without a line


class _CappedRetry(Retry):
    """urllib3 Retry that honours ``Retry-After`` but never sleeps longer than a CI job can wait."""

    MAX_RETRY_AFTER = 60.0

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.MAX_RETRY_AFTER)

    def sleep_for_retry(self, response: Any = None) -> bool:
        # A long Retry-After would otherwise be a silent pause: say it (stderr, through the
        # Reporter's logging handler), off a terminal too.
        wait = self.get_retry_after(response) if response is not None else None
        if wait is not None and wait >= RETRY_WAIT_WORTH_A_LINE:
            log.warning(
                "Sendbird answered HTTP %s; retrying in %.0f s, as its Retry-After says",
                response.status,
                wait,
            )
        return bool(super().sleep_for_retry(response))


def _require(value: str | None, input_name: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise UsageError(f"{input_name} is missing or blank")
    # Never echo the value: it may be a secret, and a control character in a header value would
    # make requests raise an error that quotes it.
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in cleaned):
        raise UsageError(f"{input_name} contains control characters (a pasted line break?)")
    return cleaned


def _lenient_json(response: requests.Response) -> dict[str, Any] | None:
    """The body as a JSON object: {} when it is empty or JSON of another shape (Sendbird's bodies
    are parsed leniently); None when it is not JSON at all, so not an answer of Sendbird's API."""
    if not response.content.strip():
        return {}
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else {}


def _not_sendbird(response: requests.Response) -> NotSendbirdAnswerError:
    """One line for a non-JSON answer (an HTML page, a proxy's text): its body is never shown."""
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    shown = content_type[:60] if content_type.isascii() and content_type.isprintable() else ""
    return NotSendbirdAnswerError(
        status=response.status_code,
        code=None,
        type=None,
        message=f"not a Sendbird API answer: HTTP {response.status_code} {shown or 'without a content type'}",
    )


class _HttpCore:
    """Session, retries, timeouts and error mapping shared by both clients."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        secrets: Iterable[str],
        timeout: tuple[float, float],
        retries: int,
        backoff_factor: float,
    ) -> None:
        if retries < 0:
            raise UsageError(f"retries must be >= 0, got {retries}")
        self.base_url = base_url.rstrip("/")
        split = urlsplit(self.base_url)
        if split.scheme not in ("http", "https") or not split.hostname:
            raise UsageError("base URL must be an http(s) URL with a host name")
        # host:port only: a base URL may carry user:password@ that must not reach a message.
        self.host = display_host(self.base_url)
        self.timeout = timeout
        self.retries = retries
        # The URL's password too: a requests/urllib3 error text may quote the whole URL.
        self._secrets = [s for s in (*secrets, split.password) if s]
        # Wraps every request (a shared rate limiter's slot); see set_throttle.
        self.throttle: Throttle | None = None
        retry = _CappedRetry(
            total=retries,
            connect=retries,
            # read=0: once a request was sent, a lost answer is not repeated; for a copy that
            # would risk a second copy of the same recording while the first one is running.
            read=0,
            status=retries,
            other=0,
            status_forcelist=RETRY_STATUSES,
            # None = every method, POST included. Acceptable for the copy: a 429 or 5xx means the
            # copy was not accepted, and a repeated copy only overwrites the same object with the
            # same bytes; it never duplicates data or bills more than one extra upload.
            allowed_methods=None,
            backoff_factor=backoff_factor,
            respect_retry_after_header=True,
            # Hand back the last 429/5xx response so its documented error body becomes the error.
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session = requests.Session()
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update({"User-Agent": f"sendbird-copy/{__version__}", **headers})

    def redact(self, text: str, extra_secrets: Iterable[str | None] = ()) -> str:
        return redact(text, [*self._secrets, *extra_secrets])

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
        extra_secrets: Iterable[str | None] = (),
    ) -> dict[str, Any]:
        """Send one request (with retries) and return the 2xx body as a dict; raise typed errors."""
        secrets = [*extra_secrets]
        error: SendbirdCopyError | None = None
        gate = self.throttle(method) if self.throttle is not None else contextlib.nullcontext()
        try:
            with gate:
                response = self.session.request(
                    method,
                    self.base_url + path,
                    params=params,
                    json=json_body,
                    timeout=self.timeout,
                    # A redirect would carry the token header to whatever host it names.
                    allow_redirects=False,
                )
        except requests.RequestException as exc:
            error = self._transport_error(exc, secrets)
        # Raised outside the except block on purpose: the requests exception holds the prepared
        # request (token header, secret key in the body), so it must not ride along as __context__.
        if error is not None:
            log.debug(self.redact(f"{method} {path} -> {error}", secrets))
            raise error
        log.debug(self.redact(f"{method} {path} -> {response.status_code}", secrets))
        body = _lenient_json(response)
        if body is None:
            raise _not_sendbird(response)
        if 200 <= response.status_code < 300:
            return body
        raise self._api_error(response, body, secrets)

    def _api_error(
        self, response: requests.Response, body: dict[str, Any], secrets: list[str | None]
    ) -> SendbirdApiError:
        code = body.get("code")
        kind = body.get("type")
        message = body.get("message")
        if not isinstance(message, str) or not message:
            # Redact before cutting: a cut through a secret would leave a prefix redact() misses.
            text = self.redact(response.text.strip(), secrets) if body else ""
            message = text[:_ERROR_TEXT_CHARS] if text else (response.reason or "no message")
        cls = RateLimitedError if response.status_code == 429 else SendbirdApiError
        return cls(
            status=response.status_code,
            code=code if isinstance(code, int) and not isinstance(code, bool) else None,
            type=self.redact(kind, secrets) if isinstance(kind, str) and kind else None,
            message=self.redact(message, secrets),
        )

    def _transport_error(
        self, exc: requests.RequestException, secrets: list[str | None]
    ) -> SendbirdCopyError:
        inner = exc.args[0] if exc.args else None
        reason = inner.reason if isinstance(inner, MaxRetryError) else inner
        connect_s, read_s = self.timeout
        if isinstance(exc, requests.ConnectTimeout):
            return SendbirdTimeoutError(
                f"Could not connect to the Sendbird API at {self.host} within {connect_s:g} s "
                f"(connect timeout, after {self.retries} retries)"
            )
        # With read=0 a read timeout arrives as ConnectionError(MaxRetryError(ReadTimeoutError)).
        if isinstance(exc, requests.ReadTimeout) or isinstance(reason, ReadTimeoutError):
            return SendbirdTimeoutError(
                f"The Sendbird API at {self.host} did not answer within {read_s:g} s (read timeout); "
                f"the request may still have been processed, so check before repeating it"
            )
        detail = self.redact(str(reason or exc), secrets)
        return SendbirdConnectionError(
            f"Could not reach the Sendbird API at {self.host} (after {self.retries} retries): {detail}"
        )

    def close(self) -> None:
        self.session.close()


class _ClientBase:
    _core: _HttpCore

    def set_throttle(self, throttle: Throttle | None) -> None:
        """``throttle(method)`` gives a context manager that wraps every request (from sending it to
        its answer): pass a shared limiter's slot, so that worker threads together stay under
        Sendbird's per-application limits."""
        self._core.throttle = throttle

    def close(self) -> None:
        self._core.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SendbirdClient(_ClientBase):
    """Client for one Sendbird application's Calls/Live API (``Api-Token`` authentication)."""

    def __init__(
        self,
        application_id: str,
        api_token: str,
        base_url: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 4,
        backoff_factor: float = 0.5,
    ) -> None:
        self.application_id = _require(application_id, "application_id")
        token = _require(api_token, "api_token")
        template = base_url or API_BASE_URL_TEMPLATE
        # The id becomes part of the host name: one rule (sendbird_facts) for client and component.
        if "{application_id}" in template and not is_valid_app_id(self.application_id):
            raise UsageError(f"application_id '{self.application_id}' is invalid. Allowed: {APP_ID_ALLOWED}")
        self.base_url = api_base_url(self.application_id, template)
        self._core = _HttpCore(
            self.base_url,
            {"Api-Token": token, "Content-Type": "application/json; charset=utf8"},
            [token],
            timeout,
            retries,
            backoff_factor,
        )

    def __repr__(self) -> str:
        shown = display_url(self.base_url)
        return f"SendbirdClient(application_id={self.application_id!r}, base_url={shown!r})"

    def copy_recording(
        self, recording_id: str, *, access_key: str, secret_key: str, bucket: str, region: str
    ) -> dict[str, Any]:
        """Ask Sendbird to copy a completed recording into ``bucket``; returns the (undocumented) body.

        Any 2xx means "accepted": the copy runs in the background, find the object by listing.
        """
        rid = _require(recording_id, "recording_id")
        body = {"access_key": access_key, "secret_key": secret_key, "bucket": bucket, "region": region}
        return self._core.request(
            "POST",
            f"/cloud-recordings/{quote(rid, safe='')}/copy",
            json_body=body,
            extra_secrets=[secret_key],
        )

    def list_live_events(self, limit: int = MAX_PAGE_LIMIT) -> list[dict[str, Any]]:
        """Every live event of the application (all pages), each with its ``cloud_recordings``."""
        return list(self._iter_pages("/live-events", "live_events", limit))

    def list_rooms(self, limit: int = MAX_PAGE_LIMIT) -> list[dict[str, Any]]:
        """Every room of the application (all pages), each with its ``cloud_recordings``."""
        return list(self._iter_pages("/rooms", "rooms", limit))

    def iter_live_events(
        self, limit: int = MAX_PAGE_LIMIT, filters: Mapping[str, str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Live events page by page, as they arrive (a GET per page); ``filters`` are documented
        query parameters (``state``, ``started_at_start_date``...), sent with every page."""
        return self._iter_pages("/live-events", "live_events", limit, filters=filters)

    def iter_rooms(
        self, limit: int = MAX_PAGE_LIMIT, filters: Mapping[str, str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Rooms page by page, as they arrive (a GET per page); ``filters`` as for live events."""
        return self._iter_pages("/rooms", "rooms", limit, filters=filters)

    def list_page(
        self, kind: str, filters: Mapping[str, str], token: str | None = None, limit: int = MAX_PAGE_LIMIT
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of ``/live-events`` (``kind="live-events"``) or ``/rooms`` and the ``next`` token
        (None on the last page): for a caller that keeps its place between runs."""
        path, key = {"live-events": ("/live-events", "live_events"), "rooms": ("/rooms", "rooms")}[kind]
        params: dict[str, Any] = {**filters, "limit": limit}
        if token:
            params["next"] = token
        page = self._core.request("GET", path, params=params)
        items = [item for item in page.get(key) or () if isinstance(item, dict)]
        following = page.get("next")
        return items, following if isinstance(following, str) and following else None

    def get_live_event(self, live_event_id: str) -> dict[str, Any]:
        """One live event (``GET /live-events/{id}``, unwrapped from ``{"live_event": ...}``)."""
        return self._detail("/live-events", "live_event", live_event_id)

    def get_room(self, room_id: str) -> dict[str, Any]:
        """One room (``GET /rooms/{id}``, unwrapped from ``{"room": ...}``)."""
        return self._detail("/rooms", "room", room_id)

    def _detail(self, path: str, key: str, parent_id: str) -> dict[str, Any]:
        pid = _require(parent_id, key + "_id")
        page = self._core.request("GET", f"{path}/{quote(pid, safe='')}")
        item = page.get(key, page)
        return item if isinstance(item, dict) else {}

    def find_recording(self, recording_id: str, max_pages: int = FIND_MAX_PAGES) -> dict[str, Any] | None:
        """The recording's documented fields from the live-event or room that holds it, or None.

        Reads at most ``max_pages`` pages of each listing, so None means "not in the first pages",
        not "does not exist": an application with years of live events must not cost minutes here.
        """
        if max_pages < 1:
            raise UsageError(f"max_pages must be >= 1, got {max_pages}")
        sources = (
            self._iter_pages("/live-events", "live_events", MAX_PAGE_LIMIT, max_pages),
            self._iter_pages("/rooms", "rooms", MAX_PAGE_LIMIT, max_pages),
        )
        for source in sources:
            for parent in source:
                for recording in parent.get("cloud_recordings") or ():
                    if isinstance(recording, dict) and recording.get("recording_id") == recording_id:
                        return recording
        return None

    def _iter_pages(
        self,
        path: str,
        key: str,
        limit: int,
        max_pages: int | None = None,
        filters: Mapping[str, str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        if not 1 <= limit <= MAX_PAGE_LIMIT:
            raise UsageError(f"limit must be between 1 and {MAX_PAGE_LIMIT}, got {limit}")
        first: dict[str, Any] = {**(filters or {}), "limit": limit}
        params = first
        seen: set[str] = set()
        pages = 0
        while True:
            page = self._core.request("GET", path, params=params)
            pages += 1
            yield from (item for item in page.get(key) or () if isinstance(item, dict))
            token = page.get("next")
            # A repeated token would loop forever; stop instead of trusting the server blindly.
            if not isinstance(token, str) or not token or token in seen:
                return
            if max_pages is not None and pages >= max_pages:
                return
            seen.add(token)
            params = {**first, "next": token}


class OrganizationClient(_ClientBase):
    """Client for Sendbird's Organization API, the only API that reports an application's region."""

    def __init__(
        self,
        org_api_key: str,
        base_url: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 4,
        backoff_factor: float = 0.5,
    ) -> None:
        key = _require(org_api_key, "org_api_key")
        self.base_url = (base_url or ORG_API_BASE_URL).rstrip("/")
        self._core = _HttpCore(
            self.base_url,
            {"SENDBIRDORGANIZATIONAPITOKEN": key, "Content-Type": "application/json; charset=utf8"},
            [key],
            timeout,
            retries,
            backoff_factor,
        )

    def __repr__(self) -> str:
        return f"OrganizationClient(base_url={display_url(self.base_url)!r})"

    def get_application(self, app_id: str) -> dict[str, Any]:
        """``{"app_id", "app_name", "region": {"region_key", "region_name"}, ...}``."""
        aid = _require(app_id, "app_id")
        return self._core.request("GET", f"/api/v2/applications/{quote(aid, safe='')}")


def client_factory(api_token: str, base_url: str | None = None) -> Callable[[AppOutputs], SendbirdClient]:
    """THE way to make an application's client (the sync's workers, the smoke test's stages, the
    scheduled function): a new one per call, as a ``requests`` session is not shared across threads."""
    return lambda app: SendbirdClient(app.app_id, api_token, base_url=base_url)
