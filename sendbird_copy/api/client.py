"""Sendbird API clients on ``requests``: the Calls/Live API (copy, listings) and the Organization API.

Both clients share one private core (``_HttpCore``): a session with urllib3 ``Retry`` for 429/5xx and
connection errors, timeouts, and one place that turns failures into the typed errors of
``sendbird_copy.errors`` with every secret masked. The facts followed here are in sendbird_facts.py.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote, urlsplit

import requests
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError

from sendbird_copy import __version__
from sendbird_copy.api import answers, transport
from sendbird_copy.api.transport import CappedRetry, WatchedAdapter
from sendbird_copy.errors import (
    AnswerLostError,
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
from sendbird_copy.redact import display_host, display_url, redact, shorten

if TYPE_CHECKING:
    from sendbird_copy.outputs import AppOutputs

log = logging.getLogger(__name__)

Throttle = Callable[[str], contextlib.AbstractContextManager[None]]

DEFAULT_TIMEOUT: tuple[float, float] = (3.05, 30.0)
# Every answer, whole (status line, headers, body), within this many seconds of its attempt's start:
# a per-read timeout alone never ends an answer trickled a byte at a time. A listing page of 100
# parents is well under a megabyte.
DEFAULT_DEADLINE = 60.0
RETRY_STATUSES = (429, 500, 502, 503, 504)
# find_recording reads at most this many pages of each listing: 20 x 100 = 2,000 live events and
# 2,000 rooms, 40 GETs (about 4 s at the documented 10 GET/s). Past that the copy call decides.
FIND_MAX_PAGES = 20
_ERROR_TEXT_CHARS = 200


def _require(value: str | None, input_name: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise UsageError(f"{input_name} is missing or blank")
    # Never echo the value: it may be a secret, and a control character in a header value would
    # make requests raise an error that quotes it.
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in cleaned):
        raise UsageError(f"{input_name} contains control characters (a pasted line break?)")
    return cleaned


class _HttpCore:
    """Session, retries, timeouts and error mapping shared by both clients."""

    def __init__(  # noqa: PLR0913 - each is one independent setting of the session
        self,
        base_url: str,
        headers: Mapping[str, str],
        secrets: Iterable[str],
        timeout: tuple[float, float],
        retries: int,
        backoff_factor: float,
        deadline: float | None = None,
    ) -> None:
        if retries < 0:
            raise UsageError(f"retries must be >= 0, got {retries}")
        # Read when the client is made (not when this module loaded): a test may shorten it.
        self.deadline = DEFAULT_DEADLINE if deadline is None else deadline
        if not self.deadline > 0:
            raise UsageError(f"deadline must be > 0 seconds, got {self.deadline}")
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
        retry = CappedRetry(
            total=retries,
            connect=retries,
            # read=0: once a request was sent, a lost answer is not repeated; for a copy that
            # would risk a second copy of the same recording while the first one is running.
            read=0,
            status=retries,
            other=0,
            status_forcelist=RETRY_STATUSES,
            # None = every method; a POST is repeated on a 429 only (see is_retry). Connection
            # errors before the request was sent (refused) are repeated for every method.
            allowed_methods=None,
            backoff_factor=backoff_factor,
            respect_retry_after_header=True,
            # Hand back the last 429/5xx response so its documented error body becomes the error.
            raise_on_status=False,
        )
        adapter = WatchedAdapter(max_retries=retry)
        self.session = requests.Session()
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        # identity: the body is read as it comes (``transport``); with urllib3 1.26 (a
        # Lambda runtime's) that read is below urllib3's decoding, so nothing may arrive compressed.
        self.session.headers.update(
            {"User-Agent": f"sendbird-copy/{__version__}", "Accept-Encoding": "identity", **headers}
        )

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
    ) -> Any:
        """Send one request (with retries) and return the 2xx body as parsed JSON (None when empty),
        for ``sendbird_copy.api.answers`` to check; raise typed errors. Each attempt's whole answer
        (status line, headers, body) must arrive within ``deadline`` seconds (``transport``): a per-read
        timeout alone never ends an answer trickled a byte at a time."""
        secrets = [*extra_secrets]
        error: SendbirdCopyError | None = None
        answer: transport.Answer | None = None
        gate = self.throttle(method) if self.throttle is not None else contextlib.nullcontext()
        try:
            answer = transport.exchange(
                self.session,
                method,
                self.base_url + path,
                params=params,
                json_body=json_body,
                timeout=self.timeout,
                deadline=self.deadline,
                host=self.host,
                gate=gate,
            )
        except requests.RequestException as exc:
            error = self._transport_error(exc, secrets)
        except SendbirdCopyError as exc:
            error = exc
        # Raised outside the except block on purpose: the requests exception holds the prepared
        # request (token header, secret key in the body), so it must not ride along as __context__.
        if error is not None or answer is None:
            log.debug(self.redact(f"{method} {path} -> {error}", secrets))
            raise error or SendbirdTimeoutError(f"no answer from the Sendbird API at {self.host}")
        log.debug(self.redact(f"{method} {path} -> {answer.status}", secrets))
        body = answers.parsed(answer.status, answer.content_type, answer.data)
        if 200 <= answer.status < 300:
            return body
        raise self._api_error(answer, body if isinstance(body, dict) else {}, secrets)

    def _api_error(
        self, answer: transport.Answer, body: dict[str, Any], secrets: list[str | None]
    ) -> SendbirdApiError:
        code = body.get("code")
        kind = body.get("type")
        message = body.get("message")
        if not isinstance(message, str) or not message:
            # Redact before cutting: a cut through a secret would leave a prefix redact() misses.
            text = self.redact(answer.data.decode("utf-8", "replace").strip(), secrets) if body else ""
            message = text[:_ERROR_TEXT_CHARS] if text else (answer.reason or "no message")
        cls = RateLimitedError if answer.status == 429 else SendbirdApiError
        return cls(
            status=answer.status,
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
        if isinstance(reason, ProtocolError):
            # Sent, then the connection dropped (read=0: never repeated): it may have been acted on.
            return AnswerLostError(
                f"The connection to the Sendbird API at {self.host} dropped before its answer: {detail}; "
                "the request may still have been processed"
            )
        return SendbirdConnectionError(
            f"Could not reach the Sendbird API at {self.host} (after {self.retries} retries): {detail}"
        )

    def close(self) -> None:
        self.session.close()


class _ClientBase:
    _core: _HttpCore

    def set_throttle(self, throttle: Throttle | None) -> None:
        """``throttle(method)`` gives a context manager that wraps the sending of every request
        (entered just before its bytes leave, left once its status line and headers are in; see
        ``transport``): pass a shared limiter's slot, so that worker threads together stay under
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

    def __init__(  # noqa: PLR0913 - the application, its token, and the session's settings
        self,
        application_id: str,
        api_token: str,
        base_url: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 4,
        backoff_factor: float = 0.5,
        deadline: float | None = None,
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
            deadline,
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
        path = f"/cloud-recordings/{quote(rid, safe='')}/copy"
        answer = self._core.request("POST", path, json_body=body, extra_secrets=[secret_key])
        return answers.accepted("POST /cloud-recordings/{recording_id}/copy", answer)

    def list_page(
        self, kind: str, filters: Mapping[str, str], token: str | None = None, limit: int = MAX_PAGE_LIMIT
    ) -> answers.Page:
        """One page of ``/live-events`` (``kind="live-events"``) or ``/rooms``, checked
        (``answers.listing_page``), with the ``next`` token of the following page (None on the last)."""
        if not 1 <= limit <= MAX_PAGE_LIMIT:
            raise UsageError(f"limit must be between 1 and {MAX_PAGE_LIMIT}, got {limit}")
        path = "/" + kind
        if path not in answers.LISTING_KEYS:
            raise UsageError(f"kind must be one of live-events, rooms; got {shorten(kind)}")
        params: dict[str, Any] = {**filters, "limit": limit}
        if token:
            params["next"] = token
        return answers.listing_page(path, self._core.request("GET", path, params=params))

    def get_live_event(self, live_event_id: str) -> answers.ParentAnswer:
        """One live event (``GET /live-events/{id}``, documented as ``{"live_event": {...}}``)."""
        return self._detail("/live-events", live_event_id)

    def get_room(self, room_id: str) -> answers.ParentAnswer:
        """One room (``GET /rooms/{id}``, documented as ``{"room": {...}}``)."""
        return self._detail("/rooms", room_id)

    def _detail(self, path: str, parent_id: str) -> answers.ParentAnswer:
        pid = _require(parent_id, answers.ID_FIELDS[path])
        body = self._core.request("GET", f"{path}/{quote(pid, safe='')}")
        return answers.single_parent(path, pid, body)

    def find_recording(
        self, recording_id: str, max_pages: int = FIND_MAX_PAGES
    ) -> answers.RecordingAnswer | None:
        """The recording as the live event or room that holds it lists it, or None.

        Reads at most ``max_pages`` pages of each listing, so None means "not in the first pages",
        not "does not exist": an application with years of live events must not cost minutes here.
        """
        if max_pages < 1:
            raise UsageError(f"max_pages must be >= 1, got {max_pages}")
        for kind in ("live-events", "rooms"):
            token: str | None = None
            seen: set[str] = set()
            for _ in range(max_pages):
                page = self.list_page(kind, {}, token)
                for parent in page.parents:
                    found = next((r for r in parent.recordings if r.recording_id == recording_id), None)
                    if found is not None:
                        return found
                if page.next is None or page.next in seen:
                    break  # the last page (or a repeated token: never loop on it)
                seen.add(page.next)
                token = page.next
        return None


class OrganizationClient(_ClientBase):
    """Client for Sendbird's Organization API, the only API that reports an application's region."""

    def __init__(
        self,
        org_api_key: str,
        base_url: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 4,
        backoff_factor: float = 0.5,
        deadline: float | None = None,
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
            deadline,
        )

    def __repr__(self) -> str:
        return f"OrganizationClient(base_url={display_url(self.base_url)!r})"

    def get_application(self, app_id: str) -> dict[str, Any]:
        """``{"app_id", "app_name", "region": {"region_key", "region_name"}, ...}``."""
        aid = _require(app_id, "app_id")
        path = f"/api/v2/applications/{quote(aid, safe='')}"
        body = self._core.request("GET", path)
        return answers.application("GET /api/v2/applications/{app_id}", aid, body)


def client_factory(
    tokens: str | Mapping[str, str], base_url: str | None = None
) -> Callable[[AppOutputs], SendbirdClient]:
    """THE way to make an application's client (the sync's workers, the smoke test's stages, the
    scheduled function): a new one per call, as a ``requests`` session is not shared across threads.
    ``tokens`` is the one application's token, or one per application id (Sendbird's tokens are per
    application: one token never serves two)."""

    def make(app: AppOutputs) -> SendbirdClient:
        token = tokens if isinstance(tokens, str) else tokens[app.app_id]
        return SendbirdClient(app.app_id, token, base_url=base_url)

    return make
