"""Google Calendar connections (calendar-sync R3): OAuth, busy sync, write-back, push.

The connector module of scheduling.services.calendar_sync for provider GOOGLE; the HTTP
lives in scheduling.google.

- **OAuth**: google-auth-oauthlib's Flow with PKCE, offline access and a consent prompt
  (so Google always returns a refresh token). The account's address comes from the
  id_token's claims, decoded without checking the signature: the token was received
  straight from Google's token endpoint over TLS, which OpenID Connect Core §3.1.3.7 (6)
  accepts in place of the signature. The token cache (access token, refresh token,
  expiry) is kept encrypted (scheduling.secrets) in `secret_encrypted`.
- **Tokens** are refreshed 5 minutes before they expire, under the connection's row lock,
  re-reading the row first (another worker may have refreshed meanwhile). A refresh
  token Google no longer accepts (invalid_grant) breaks the connection: "auth_expired",
  or "auth_testing" when it died within 8 days of being granted for the second time in a
  row (an OAuth app left in Google's "Testing" status).
- **Busy times in** (a departure from the spec's freeBusy read, which cannot sync
  incrementally): events.list per chosen calendar from its stored sync token; a 410 means
  a full read of the window again, and so does one read a day (recurring instances that
  move into the window are not "changes"). Only intervals are stored, keyed by (calendar,
  event) so an incremental sync replaces exactly the events that changed. Free
  (transparent), cancelled and declined events, and Atrium's own events, are never busy.
- **Appointments out**: one event per appointment uid, with an id Atrium chooses (base32hex
  of the uid's UUID) so a retry never makes a second event; no attendees,
  sendUpdates=none. An edit made in Google to Atrium's event is flagged for staff
  (ExternalEventLink.external_change_seen_at), never applied to the appointment.
- **Push** (only when calendar_sync's push_allowed): a web_hook channel per chosen
  calendar, renewed at half its lifetime; the endpoint only enqueues a sync.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets as random_secrets
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from google.auth import exceptions as auth_exceptions
from google.auth import jwt
from google.auth.transport.requests import Request as AuthRequest
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from core.links import absolute_url
from scheduling import google, secrets, selectors
from scheduling.audit_actions import SchedulingAction
from scheduling.caldav import key_hash
from scheduling.models import BusyTime, ExternalCalendar, ExternalEventLink
from scheduling.services.calendars import (
    IMPORT_DAYS_AHEAD,
    IMPORT_DAYS_BACK,
    EventContent,
    _health_changed,
    connection_failed,
    connection_succeeded,
    failure_code,
    health_reset,
    push_allowed,
)

if TYPE_CHECKING:
    from portal.models import User

logger = logging.getLogger(__name__)
Health = ExternalCalendar.Health
Link = ExternalEventLink.State
PROVIDER = ExternalCalendar.Provider.GOOGLE

AUTH_URI = "https://accounts.google.com/o/oauth2/v2/auth"
TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - an address, not a secret
REVOKE_URI = "https://oauth2.googleapis.com/revoke"
SCOPES = list(google.SCOPES)
# Without these three (an unticked box on the consent screen) the connection cannot work.
REQUIRED_SCOPES = frozenset({google.SCOPE_CALENDARS, google.SCOPE_EVENTS, google.SCOPE_FREEBUSY})
ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})

REFRESH_BEFORE = dt.timedelta(minutes=5)
# A refresh token that dies this soon after the grant looks like Google's 7-day Testing limit.
EARLY_EXPIRY = dt.timedelta(days=8)
FULL_RESYNC_EVERY = dt.timedelta(hours=24)
MAX_BUSY_PER_CONNECTION = 20000
PUSH_TTL = dt.timedelta(days=7)
PUSH_STATE = "_push"  # sync_state key of the channels (calendar ids never start with "_")
NOT_BUSY_TYPES = frozenset({"workingLocation", "birthday"})


def is_configured() -> bool:
    return selectors.oauth_provider_configured(PROVIDER)


def _timeout() -> float:
    return float(settings.ATRIUM_CALENDAR_API_TIMEOUT_SECONDS)


# --- OAuth ------------------------------------------------------------------------------


def _flow(redirect_uri: str, *, state: str | None = None, verifier: str | None = None) -> Flow:
    config = {
        "web": {
            "client_id": settings.ATRIUM_GOOGLE_CLIENT_ID,
            "client_secret": settings.ATRIUM_GOOGLE_CLIENT_SECRET,
            "auth_uri": AUTH_URI,
            "token_uri": TOKEN_URI,
            "redirect_uris": [redirect_uri],
        }
    }
    return Flow.from_client_config(
        config,
        scopes=SCOPES,
        redirect_uri=redirect_uri,
        state=state,
        code_verifier=verifier,
        autogenerate_code_verifier=True,
    )


def authorization_start(*, redirect_uri: str) -> tuple[str, dict[str, Any]]:
    """Where to send the browser, and what the session keeps until Google sends it back."""
    if not is_configured():
        raise ServiceError(_not_configured())
    flow = _flow(redirect_uri)
    url, state = flow.authorization_url(
        access_type="offline", prompt="consent", include_granted_scopes="true"
    )
    return url, {"state": state, "code_verifier": flow.code_verifier, "redirect_uri": redirect_uri}


def _not_configured() -> str:
    return _(
        "Google Calendar is not set up on this site yet: the administrator adds the Google "
        "OAuth client id and secret first."
    )


def authorization_finish(
    *,
    flow: dict[str, Any],
    params: dict[str, str],
    redirect_uri: str,
    staff: User,
    actor: User | None = None,
    meta: RequestMeta | None = None,
) -> ExternalCalendar:
    """Google sent the browser back: check it, exchange the code, store the connection.

    Reconnecting the same Google account of the same staff member updates that row (and
    makes it OK again) instead of adding a second one.
    """
    if not is_configured():
        raise ServiceError(_not_configured())
    expected = str(flow.get("state") or "")
    if not expected or not hmac.compare_digest(expected, str(params.get("state") or "")):
        raise ServiceError(
            _("This Google sign-in was not started here, or it expired. Connect again.")
        )
    error = str(params.get("error") or "")
    if error:
        raise ServiceError(_refusal(error, redirect_uri))
    code = str(params.get("code") or "")
    if not code:
        raise ServiceError(_("Google sent no authorisation. Connect again."))
    token = _exchange(flow, code, redirect_uri)
    granted = _scopes(token.get("scope"))
    if not REQUIRED_SCOPES <= granted:
        _revoke(str(token.get("refresh_token") or token.get("access_token") or ""))
        raise ServiceError(
            _(
                "Google Calendar was not connected: on Google's consent screen, tick every "
                "box. Atrium needs to list your calendars, read their busy times and add its "
                "appointments."
            )
        )
    email = _account_email(token)
    refresh = str(token.get("refresh_token") or "")
    access = str(token.get("access_token") or "")
    if not refresh or not access:
        raise ServiceError(_("Google did not grant offline access. Connect again."))
    now = timezone.now()
    expires_at = _expiry(token, now)
    found = _listed(access)
    cache = {"access_token": access, "refresh_token": refresh, "expires_at": expires_at}
    with transaction.atomic():
        row = (
            ExternalCalendar.objects.select_for_update()
            .filter(staff=staff, provider=PROVIDER, account_email__iexact=email)
            .first()
        )
        created = row is None
        if row is None:
            row = ExternalCalendar(staff=staff, provider=PROVIDER, early_expiries=0)
        rows = _calendar_rows(found, [] if created else row.read_calendars)
        ids = {c["id"] for c in rows}
        if created or row.write_calendar_id not in ids:
            row.write_calendar_id = next((c["id"] for c in found if c.get("primary")), "")
        row.name = (email or "Google Calendar")[:80]
        row.account_email = email
        row.scopes = " ".join(sorted(granted))
        row.secret_encrypted = secrets.encrypt(json.dumps(cache))
        row.token_expires_at = dt.datetime.fromtimestamp(expires_at, tz=dt.UTC)
        row.authorized_at = now
        row.read_calendars = rows
        health_reset(row)
        # early_expiries is kept on a reconnect: it counts early deaths *in a row*.
        row.full_clean()
        row.save()
        audit_record(
            action=SchedulingAction.CALENDAR_ADDED
            if created
            else SchedulingAction.CALENDAR_CHANGED,
            actor=actor or staff,
            meta=meta,
            obj=row,
            data={"provider": PROVIDER, "reconnected": not created},
        )
        _health_changed()
    return row


def _refusal(error: str, redirect_uri: str) -> str:
    if error == "access_denied":
        return _(
            "Google Calendar was not connected: access was not allowed on Google's consent "
            "screen. Connect again and choose Allow."
        )
    if error == "redirect_uri_mismatch":
        return _redirect_mismatch(redirect_uri)
    if error in ("admin_policy_enforced", "org_internal"):
        return _(
            "Your Google Workspace administrator does not allow this app yet: ask them to "
            "trust it, or to mark the OAuth app Internal."
        )
    return _("Google refused the sign-in (%(code)s). Connect again.") % {"code": error[:40]}


def _redirect_mismatch(redirect_uri: str) -> str:
    return _(
        "Google refused the return address. In the Google Cloud console, add %(uri)s as an "
        "authorised redirect URI of the OAuth client."
    ) % {"uri": redirect_uri}


def _exchange(flow: dict[str, Any], code: str, redirect_uri: str) -> dict[str, Any]:
    oauth = _flow(
        redirect_uri,
        state=str(flow.get("state") or ""),
        verifier=str(flow.get("code_verifier") or "") or None,
    )
    try:
        token = oauth.fetch_token(code=code, timeout=_timeout())
    except OAuth2Error as exc:
        if exc.error == "redirect_uri_mismatch":
            raise ServiceError(_redirect_mismatch(redirect_uri)) from None
        raise ServiceError(
            _("Google refused the sign-in (%(code)s). Connect again.")
            % {"code": str(exc.error)[:40]}
        ) from None
    except requests.RequestException:
        raise ServiceError(_("Google did not answer. Try again in a minute.")) from None
    except Warning as warning:
        # oauthlib calls a changed scope list a Warning (and raises it): Google answers
        # "email" with the userinfo.email URL, or fewer scopes when boxes were left unticked.
        token = getattr(warning, "token", None)
        if not isinstance(token, dict):
            raise ServiceError(_("Google's answer could not be read. Connect again.")) from None
    return dict(token)


def _scopes(value: Any) -> set[str]:
    if isinstance(value, str):
        return set(value.split())
    if isinstance(value, list | tuple | set):
        return {str(v) for v in value}
    return set()


def _account_email(token: Mapping[str, Any]) -> str:
    """The account's address from the id_token (received from the token endpoint over TLS:
    OpenID Connect Core §3.1.3.7 (6) lets that stand in for checking the signature)."""
    try:
        claims = jwt.decode(str(token.get("id_token") or ""), verify=False)
    except (ValueError, TypeError):
        claims = {}
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    email = str(claims.get("email") or "").strip().lower()
    if (
        claims.get("iss") not in ISSUERS
        or settings.ATRIUM_GOOGLE_CLIENT_ID not in audiences
        or not email
        or claims.get("email_verified") is False
    ):
        raise ServiceError(_("Google did not say which account this is. Connect again."))
    return email[:254]


def _expiry(token: Mapping[str, Any], now: dt.datetime) -> int:
    """The access token's expiry in epoch seconds (UTC)."""
    try:
        return int(float(token["expires_at"]))
    except (KeyError, TypeError, ValueError):
        pass
    try:
        return int(now.timestamp()) + int(token["expires_in"])
    except (KeyError, TypeError, ValueError):
        return int(now.timestamp()) + 3000


def _listed(access_token: str) -> list[dict[str, Any]]:
    client = google.Client(lambda _refresh: access_token, timeout=_timeout())
    try:
        return client.calendars()
    except google.GoogleError as exc:
        if exc.code == "scope":
            raise ServiceError(
                _("Google did not allow Atrium to list your calendars. Connect again.")
            ) from None
        raise ServiceError(
            _("Could not read your Google calendars: %(reason)s")
            % {"reason": selectors.calendar_reason(exc.code, PROVIDER)}
        ) from None
    except requests.RequestException:
        raise ServiceError(_("Google did not answer. Try again in a minute.")) from None
    finally:
        client.close()


def _calendar_rows(
    found: list[dict[str, Any]], previous: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """read_calendars from calendarList items: earlier choices kept, the primary calendar
    busy by default, the rest not."""
    chosen = {str(c.get("id")): bool(c.get("busy")) for c in previous}
    rows = []
    for item in found:
        if item.get("deleted") or not item.get("id"):
            continue
        calendar_id = str(item["id"])
        rows.append(
            {
                "id": calendar_id,
                "name": str(item.get("summaryOverride") or item.get("summary") or calendar_id)[
                    :200
                ],
                "busy": chosen.get(calendar_id, bool(item.get("primary")) and not previous),
                "writable": item.get("accessRole") in ("owner", "writer"),
                "primary": bool(item.get("primary")),
            }
        )
    return rows


# --- tokens -----------------------------------------------------------------------------


class _Request(AuthRequest):
    """google-auth's requests transport with our timeout on every call (its default is 120 s)."""

    def __init__(self, timeout: float) -> None:
        session = requests.Session()
        session.trust_env = False
        super().__init__(session=session)
        self._timeout = timeout

    def __call__(  # the same call; the timeout is always ours
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        timeout: Any = None,
        **kwargs: Any,
    ) -> Any:
        return super().__call__(
            url, method=method, body=body, headers=headers, timeout=self._timeout, **kwargs
        )


def _cache(encrypted: str) -> dict[str, Any]:
    try:
        data = json.loads(secrets.decrypt(encrypted))
    except ValueError as exc:  # SecretUnreadable is one
        raise secrets.SecretUnreadable("calendar token cache unreadable") from exc
    if not isinstance(data, dict) or not data.get("refresh_token"):
        raise secrets.SecretUnreadable("calendar token cache unreadable")
    return data


def _access_token(calendar_id: Any, *, rejected: str = "", timeout: float) -> str:
    """A valid access token: the stored one, or a refreshed one (5 min before it expires,
    or when Google just refused `rejected`). A refresh happens under the row lock, re-reading
    the row first (another worker may have refreshed), and is written back there."""
    if not rejected:
        # The stored token while it is good: no lock, no write (every API call asks).
        encrypted = (
            ExternalCalendar.objects.filter(pk=calendar_id)
            .values_list("secret_encrypted", flat=True)
            .first()
        )
        if encrypted:
            stored = _cache(encrypted)
            fresh_until = int(timezone.now().timestamp() + REFRESH_BEFORE.total_seconds())
            if (
                not stored.get("dead")
                and stored.get("access_token")
                and int(stored.get("expires_at") or 0) > fresh_until
            ):
                return str(stored["access_token"])
    dead = ""
    with transaction.atomic():
        row = ExternalCalendar.objects.select_for_update().get(pk=calendar_id)
        cache = _cache(row.secret_encrypted)
        now = timezone.now()
        access = str(cache.get("access_token") or "")
        expires_at = int(cache.get("expires_at") or 0)
        if cache.get("dead"):
            dead = str(cache["dead"])  # already refused: do not ask (or count) again
        elif (
            access
            and access != rejected
            and expires_at - int(now.timestamp()) > REFRESH_BEFORE.total_seconds()
        ):
            return access
        else:
            credentials = Credentials(
                token=None,
                refresh_token=str(cache["refresh_token"]),
                token_uri=TOKEN_URI,
                client_id=settings.ATRIUM_GOOGLE_CLIENT_ID,
                client_secret=settings.ATRIUM_GOOGLE_CLIENT_SECRET,
            )
            try:
                credentials.refresh(_Request(timeout))
            except auth_exceptions.RefreshError as exc:
                if _oauth_error(exc) != "invalid_grant":
                    raise
                dead = _refresh_token_died(row, cache, now)
            else:
                expiry = credentials.expiry  # naive UTC (google-auth's convention)
                when = (
                    expiry.replace(tzinfo=dt.UTC)
                    if expiry is not None
                    else now + dt.timedelta(minutes=50)
                )
                cache["access_token"] = str(credentials.token)
                cache["expires_at"] = int(when.timestamp())
                if credentials.refresh_token:  # Google may rotate it: keep the new one
                    cache["refresh_token"] = str(credentials.refresh_token)
                row.secret_encrypted = secrets.encrypt(json.dumps(cache))
                row.token_expires_at = when
                row.save(update_fields=["secret_encrypted", "token_expires_at"])
                return str(credentials.token)
    raise google.GoogleError(dead)


def _refresh_token_died(row: ExternalCalendar, cache: dict[str, Any], now: dt.datetime) -> str:
    """Count an early death (Testing mode) and remember the verdict; the error code."""
    early = row.authorized_at is not None and now - row.authorized_at <= EARLY_EXPIRY
    row.early_expiries = min(row.early_expiries + 1, 100) if early else 0
    code = "auth_testing" if row.early_expiries >= 2 else "auth_expired"
    cache["dead"] = code
    cache["access_token"] = ""
    row.secret_encrypted = secrets.encrypt(json.dumps(cache))
    row.save(update_fields=["early_expiries", "secret_encrypted"])
    return code


def _oauth_error(exc: auth_exceptions.RefreshError) -> str:
    """The token endpoint's `error` (never its description, which may quote a token)."""
    for arg in exc.args[1:]:
        if isinstance(arg, Mapping) and arg.get("error"):
            return str(arg["error"])
    text = str(exc.args[0]) if exc.args else ""
    return text.split(":", 1)[0].strip() if text.startswith("invalid_grant") else ""


def _token_source(calendar_id: Any, timeout: float) -> google.TokenSource:
    last = {"token": ""}

    def token(refresh: bool) -> str:
        last["token"] = _access_token(
            calendar_id, rejected=last["token"] if refresh else "", timeout=timeout
        )
        return last["token"]

    return token


def _client(calendar: ExternalCalendar, *, timeout: float | None = None) -> google.Client:
    timeout = _timeout() if timeout is None else timeout
    return google.Client(_token_source(calendar.pk, timeout), timeout=timeout)


def error_code(exc: BaseException) -> tuple[str, dt.datetime | None]:
    """A short code for a failure, and when to try again (a 429's Retry-After)."""
    if isinstance(exc, google.GoneError):
        return "http_410", None  # the sync resyncs on 410: one elsewhere is not "gone"
    if isinstance(exc, google.GoogleError):
        retry_after = (
            timezone.now() + dt.timedelta(seconds=exc.retry_after)
            if exc.retry_after is not None
            else None
        )
        return exc.code, retry_after
    if isinstance(exc, secrets.SecretUnreadable):
        return "secret", None
    if isinstance(exc, auth_exceptions.TransportError):
        cause = exc.__cause__ or exc.__context__
        return ("timeout" if isinstance(cause, requests.Timeout) else "unreachable"), None
    if isinstance(exc, auth_exceptions.RefreshError):
        error = _oauth_error(exc)
        if getattr(exc, "retryable", False):
            return "server_error", None
        return ("auth_expired" if error == "invalid_grant" else "auth"), None
    return failure_code(exc)


# --- reading busy times -----------------------------------------------------------------


def sync(*, calendar_id: Any, now: dt.datetime) -> bool:
    """One read of a Google connection; True when it worked (calendar_sync writes after)."""
    calendar = (
        ExternalCalendar.objects.select_related("staff")
        .filter(pk=calendar_id, provider=PROVIDER)
        .exclude(status=Health.DISCONNECTED)
        .first()
    )
    if calendar is None:
        return False
    if calendar.retry_after and now < calendar.retry_after:
        return False  # Google asked us to wait
    zone = ZoneInfo(calendar.staff.time_zone or selectors.firm_time_zone())
    window = (now - dt.timedelta(days=IMPORT_DAYS_BACK), now + dt.timedelta(days=IMPORT_DAYS_AHEAD))
    busy_ids = [str(c["id"]) for c in calendar.busy_calendars]
    ids = list(
        dict.fromkeys(
            [*busy_ids, *([calendar.write_calendar_id] if calendar.write_calendar_id else [])]
        )
    )
    state = dict(calendar.sync_state)
    full_at = state.get("_full_at")
    full_due = not full_at or now - dt.datetime.fromisoformat(str(full_at)) > FULL_RESYNC_EVERY
    started = {cid: _stored_token(state, cid) for cid in ids}
    reads: list[tuple[str, google.Listing]] = []
    client = _client(calendar)
    try:
        for cid in ids:
            token = "" if full_due else started[cid]
            try:
                listing = client.events(
                    cid, sync_token=token, time_min=window[0], time_max=window[1]
                )
            except google.GoneError:
                if not token:
                    raise
                # The sync token expired (410 Gone): read the whole window again.
                listing = client.events(cid, time_min=window[0], time_max=window[1])
            reads.append((cid, listing))
    except Exception as exc:  # noqa: BLE001 - every failure counts against the health
        code, retry_after = error_code(exc)
        connection_failed(calendar_id=calendar.pk, code=code, now=now, retry_after=retry_after)
        return False
    finally:
        client.close()
    _apply(calendar.pk, reads, started, set(busy_ids), zone, window, now)
    connection_succeeded(calendar_id=calendar.pk, now=now)
    return True


def _stored_token(state: Mapping[str, Any], calendar_id: str) -> str:
    entry = state.get(calendar_id)
    return str(entry.get("token") or "") if isinstance(entry, Mapping) else ""


def _intervals(
    item: Mapping[str, Any], zone: ZoneInfo, window: tuple[dt.datetime, dt.datetime]
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The busy interval of one listed event, if it is busy at all."""
    if item.get("status") == "cancelled" or item.get("transparency") == "transparent":
        return []
    if item.get("eventType") in NOT_BUSY_TYPES:
        return []
    if any(
        isinstance(a, Mapping) and a.get("self") and a.get("responseStatus") == "declined"
        for a in item.get("attendees") or []
    ):
        return []
    start = google.parse_time(item.get("start") or {}, zone)
    end = google.parse_time(item.get("end") or {}, zone)
    if start is None or end is None or end <= start:
        return []
    if end <= window[0] or start >= window[1]:
        return []
    return [(start, end)]


def _own_event_ids(row: ExternalCalendar) -> set[str]:
    """Atrium's events in this staff member's calendars: the ids it wrote, and the id it
    would choose for each of its appointments (a write whose answer was lost)."""
    own: set[str] = set()
    for remote_id, uid in ExternalEventLink.objects.filter(
        calendar__staff_id=row.staff_id
    ).values_list("remote_event_id", "appointment_uid"):
        if remote_id:
            own.add(remote_id)
        own.add(google.event_id(uid))
    return own


def _apply(
    calendar_id: Any,
    reads: list[tuple[str, google.Listing]],
    started: dict[str, str],
    busy_ids: set[str],
    zone: ZoneInfo,
    window: tuple[dt.datetime, dt.datetime],
    now: dt.datetime,
) -> None:
    """Store what was read, under the connection's row lock: two workers syncing at once
    apply one after the other, and a read that another worker already superseded (the
    stored token moved on since it started) is dropped, so no interval is stored twice.

    Atrium events edited in Google are flagged after the lock is released: a write-back
    holds its link's lock while it may wait for this row's (a token refresh).
    """
    edited: list[Any] = []
    with transaction.atomic():
        row = ExternalCalendar.objects.select_for_update().filter(pk=calendar_id).first()
        if row is None or row.status == Health.DISCONNECTED:
            return
        state = dict(row.sync_state)
        own = _own_event_ids(row)
        links = {
            link.remote_event_id: link
            for link in ExternalEventLink.objects.filter(calendar=row)
            .exclude(remote_event_id="")
            .select_related("appointment")
        }
        applied = []
        for cid, listing in reads:
            if _stored_token(state, cid) != started.get(cid, ""):
                continue  # another worker stored a newer read of this calendar meanwhile
            if cid in busy_ids:
                _replace_busy(row, cid, listing, own, zone, window)
            edited += _edited_links(cid, listing, links, window)
            state[cid] = {"token": listing.next_sync_token}
            applied.append(listing.full)
        # Busy times of calendars no longer chosen go.
        keep = Q()
        for cid in busy_ids:
            keep |= Q(remote_key_hash__startswith=key_hash(cid))
        stale = BusyTime.objects.filter(calendar=row)
        if busy_ids:
            stale = stale.exclude(keep)
        if stale.exists():
            stale.delete()
        if reads and len(applied) == len(reads) and all(applied):
            state["_full_at"] = now.isoformat()
        read_ids = {cid for cid, _listing in reads}
        row.sync_state = {k: v for k, v in state.items() if k in read_ids or k.startswith("_")}
        row.save(update_fields=["sync_state"])
    if edited:
        ExternalEventLink.objects.filter(
            pk__in=edited, external_change_seen_at__isnull=True
        ).update(external_change_seen_at=now)


def _replace_busy(
    row: ExternalCalendar,
    cid: str,
    listing: google.Listing,
    own: set[str],
    zone: ZoneInfo,
    window: tuple[dt.datetime, dt.datetime],
) -> None:
    new: set[tuple[str, dt.datetime, dt.datetime]] = set()
    keys: set[str] = set()
    for item in listing.items:
        event = str(item.get("id") or "")
        if not event:
            continue
        key = key_hash(cid, event)
        keys.add(key)
        if event in own:
            continue  # Atrium's own appointment: never busy
        new |= {(key, s, e) for s, e in _intervals(item, zone, window)}
    current = BusyTime.objects.filter(calendar=row)
    current = (
        current.filter(remote_key_hash__startswith=key_hash(cid))
        if listing.full
        else current.filter(remote_key_hash__in=keys)
    )
    stored = set(current.values_list("remote_key_hash", "start_at", "end_at"))
    if stored == new:
        return  # nothing changed: the cached slots stay
    current.delete()
    BusyTime.objects.bulk_create(
        [
            BusyTime(calendar=row, staff_id=row.staff_id, start_at=s, end_at=e, remote_key_hash=k)
            for k, s, e in sorted(new)[:MAX_BUSY_PER_CONNECTION]
        ]
    )


def _edited_links(
    cid: str,
    listing: google.Listing,
    links: dict[str, ExternalEventLink],
    window: tuple[dt.datetime, dt.datetime],
) -> list[Any]:
    """Atrium's events changed (another etag) or deleted in Google: the links to flag."""
    mine = {eid: link for eid, link in links.items() if link.remote_calendar_id == cid}
    if not mine:
        return []
    edited: list[Any] = []
    seen: set[str] = set()
    for item in listing.items:
        event = str(item.get("id") or "")
        link = mine.get(event)
        if link is None:
            continue
        seen.add(event)
        if link.state != Link.SYNCED:
            continue
        etag = str(item.get("etag") or "")
        if item.get("status") == "cancelled" or (
            etag and link.remote_etag and etag != link.remote_etag
        ):
            edited.append(link.pk)
    if listing.full:
        # A full listing names every event of the window: a synced one missing was deleted.
        edited += [
            link.pk
            for event, link in mine.items()
            if event not in seen
            and link.state == Link.SYNCED
            and link.appointment.end_at > window[0]
            and link.appointment.start_at < window[1]
        ]
    return edited


# --- the live check at booking time -----------------------------------------------------


def live_busy(
    calendar: ExternalCalendar,
    start: dt.datetime,
    end: dt.datetime,
    *,
    timeout: float,
    own_uids: set[str],
) -> bool:
    """Whether the busy calendars show something in [start, end) now (freeBusy.query).

    freeBusy returns bare intervals, so Atrium's own events are taken out by subtracting
    the times of the appointments it wrote there (those in `own_uids`). Raises on failure;
    the caller then trusts the synced busy times.
    """
    ids = [str(c["id"]) for c in calendar.busy_calendars]
    if not ids:
        return False
    client = _client(calendar, timeout=timeout)
    try:
        found = client.free_busy(ids, start, end)
    finally:
        client.close()
    own = [
        (link.appointment.start_at, link.appointment.end_at)
        for link in ExternalEventLink.objects.filter(
            calendar__staff_id=calendar.staff_id, appointment_uid__in=own_uids
        )
        .exclude(state=Link.DELETED)
        .select_related("appointment")
    ]
    for intervals in found.values():
        for s, e in intervals:
            for piece in _subtract((max(s, start), min(e, end)), own):
                if piece[0] < piece[1]:
                    return True
    return False


def _subtract(
    interval: tuple[dt.datetime, dt.datetime], holes: list[tuple[dt.datetime, dt.datetime]]
) -> list[tuple[dt.datetime, dt.datetime]]:
    pieces = [interval] if interval[0] < interval[1] else []
    for hole_start, hole_end in holes:
        cut = []
        for s, e in pieces:
            if hole_end <= s or hole_start >= e:
                cut.append((s, e))
                continue
            if s < hole_start:
                cut.append((s, hole_start))
            if hole_end < e:
                cut.append((hole_end, e))
        pieces = cut
    return pieces


# --- writing appointments ---------------------------------------------------------------


def _body(content: EventContent) -> dict[str, Any]:
    """Minimal content, no attendees (Google then sends nobody an invitation)."""
    return {
        "summary": content.summary,
        "location": content.location,
        "description": content.description,
        "start": {"dateTime": google.rfc3339(content.start)},
        "end": {"dateTime": google.rfc3339(content.end)},
        "status": "confirmed",  # also brings back an event deleted in Google ("restore")
        "transparency": "opaque",
        "extendedProperties": {"private": {"atrium_uid": content.uid}},
    }


def put_event(
    calendar: ExternalCalendar, link: ExternalEventLink, content: EventContent
) -> tuple[str, str]:
    """Create or update Atrium's event for the appointment: (event id, etag).

    The id is chosen by Atrium (from the uid), so a create retried after a timeout finds
    its first attempt: a retry GETs the id first, and a 409 on insert means "it exists:
    patch it". A reschedule patches the same event; Google raises its sequence itself.
    """
    calendar_id = link.remote_calendar_id or calendar.write_calendar_id
    if not calendar_id:
        raise google.GoogleError("no_calendar")
    event = link.remote_event_id or google.event_id(content.uid)
    body = _body(content)
    client = _client(calendar)
    try:
        written: dict[str, Any] | None = None
        if link.remote_event_id:
            written = client.patch_event(calendar_id, event, body)
        elif link.state == Link.FAILED or link.last_error:
            # A retry: the earlier attempt may have reached Google without its answer.
            if client.get_event(calendar_id, event) is not None:
                written = client.patch_event(calendar_id, event, body)
        if written is None:
            written = _insert(client, calendar_id, event, body)
    finally:
        client.close()
    return event, str(written.get("etag") or "")


def _insert(
    client: google.Client, calendar_id: str, event: str, body: dict[str, Any]
) -> dict[str, Any]:
    try:
        created = client.insert_event(calendar_id, {**body, "id": event})
    except google.GoogleError as exc:
        if exc.status == 404:
            raise google.GoogleError("no_calendar", status=404) from None
        raise
    if created is not None:
        return created
    # 409: that id exists already (the first attempt got through, or it was deleted and
    # Google keeps the id): update it instead of making a second event.
    patched = client.patch_event(calendar_id, event, body)
    if patched is None:
        raise google.GoogleError("conflict", status=409)
    return patched


def delete_event(calendar: ExternalCalendar, link: ExternalEventLink) -> None:
    """Remove Atrium's event (a cancellation); already gone (404/410) is fine."""
    calendar_id = link.remote_calendar_id or calendar.write_calendar_id
    if not calendar_id:
        return
    event = link.remote_event_id or google.event_id(link.appointment_uid)
    client = _client(calendar)
    try:
        client.delete_event(calendar_id, event)
    finally:
        client.close()


# --- disconnecting ----------------------------------------------------------------------


def _revoke(token: str) -> None:
    if not token:
        return
    try:
        requests.post(
            REVOKE_URI,
            data={"token": token},
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=_timeout(),
        )
    except requests.RequestException:
        logger.info("google revoke: no answer")


def disconnect(calendar: ExternalCalendar) -> None:
    """Stop the push channels and revoke the grant at Google; best effort, never raises.
    The stored tokens and push fields are forgotten by calendar_disconnect, after this."""
    try:
        _stop_channels(calendar, _channels(calendar))
    except Exception as exc:  # noqa: BLE001 - disconnecting must work without Google
        logger.info("google disconnect: channels not stopped (%s)", error_code(exc)[0])
    try:
        cache = _cache(calendar.secret_encrypted)
        _revoke(str(cache.get("refresh_token") or cache.get("access_token") or ""))
    except Exception as exc:  # noqa: BLE001 - as above
        logger.info("google disconnect: not revoked (%s)", error_code(exc)[0])


# --- push -------------------------------------------------------------------------------


def _channels(row: ExternalCalendar) -> list[dict[str, str]]:
    """The live channels: one per watched calendar (sync_state["_push"]), and the one the
    push_* fields name if that list was lost."""
    push = row.sync_state.get(PUSH_STATE) if isinstance(row.sync_state, dict) else None
    channels = [
        {
            "calendar": str(c.get("calendar", "")),
            "id": str(c["id"]),
            "resource": str(c.get("resource", "")),
        }
        for c in (push or {}).get("channels") or []
        if isinstance(c, Mapping) and c.get("id")
    ]
    if row.push_channel_id and row.push_channel_id not in {c["id"] for c in channels}:
        channels.append(
            {"calendar": "", "id": row.push_channel_id, "resource": row.push_resource_id}
        )
    return channels


def _stop_channels(row: ExternalCalendar, channels: list[dict[str, str]]) -> None:
    if not channels:
        return
    client = _client(row)
    try:
        for channel in channels:
            try:
                client.stop_channel(channel["id"], channel["resource"])
            except Exception as exc:  # noqa: BLE001 - it expires on its own anyway
                logger.info("google push: channel not stopped (%s)", error_code(exc)[0])
    finally:
        client.close()


def push_ensure(calendar: ExternalCalendar, *, now: dt.datetime) -> None:
    """Create the push channels, or renew them at half their lifetime (the old ones are
    stopped). A no-op unless push is allowed; failures are logged, never raised."""
    try:
        _push_ensure(calendar, now)
    except Exception as exc:  # noqa: BLE001 - polling goes on without push
        logger.warning("google push: channels not renewed (%s)", error_code(exc)[0])


def _push_ensure(calendar: ExternalCalendar, now: dt.datetime) -> None:
    row = ExternalCalendar.objects.filter(pk=calendar.pk, provider=PROVIDER).first()
    if row is None or row.status in (Health.DISCONNECTED, Health.BROKEN):
        return
    old = _channels(row)
    wanted = sorted(str(c["id"]) for c in row.busy_calendars) if push_allowed() else []
    push = row.sync_state.get(PUSH_STATE) or {}
    watched = sorted(c["calendar"] for c in old)
    created = push.get("created_at") if isinstance(push, Mapping) else None
    if wanted and watched == wanted and created and row.push_expires_at:
        since = dt.datetime.fromisoformat(str(created))
        if now < since + (row.push_expires_at - since) / 2:
            return  # not yet at half its lifetime
    if not wanted and not old:
        return
    token = random_secrets.token_urlsafe(32)
    address = absolute_url(reverse("scheduling:calendar-push-google"))
    made: list[dict[str, str]] = []
    expiries: list[dt.datetime] = []
    client = _client(row)
    try:
        for calendar_id in wanted:
            channel_id = f"{row.pk}_{random_secrets.token_hex(8)}"
            answer = client.watch(
                calendar_id,
                channel_id=channel_id,
                address=address,
                token=token,
                ttl=int(PUSH_TTL.total_seconds()),
            )
            made.append(
                {
                    "calendar": calendar_id,
                    "id": channel_id,
                    "resource": str(answer.get("resourceId") or ""),
                }
            )
            expiries.append(google.expiration(answer) or now + PUSH_TTL)
    except Exception:
        client.close()
        _stop_channels(row, made)
        raise
    client.close()
    with transaction.atomic():
        locked = ExternalCalendar.objects.select_for_update().get(pk=row.pk)
        state = dict(locked.sync_state)
        if made:
            state[PUSH_STATE] = {"created_at": now.isoformat(), "channels": made}
        else:
            state.pop(PUSH_STATE, None)
        locked.sync_state = state
        locked.push_channel_id = made[0]["id"] if made else ""
        locked.push_resource_id = made[0]["resource"] if made else ""
        locked.push_expires_at = min(expiries) if expiries else None
        locked.push_secret_hash = hashlib.sha256(token.encode()).hexdigest() if made else ""
        locked.save(
            update_fields=[
                "sync_state",
                "push_channel_id",
                "push_resource_id",
                "push_expires_at",
                "push_secret_hash",
            ]
        )
    _stop_channels(row, old)


def push_received(*, headers: Mapping[str, str]) -> Any | None:
    """A notification from Google: the connection to sync, or None when the channel or its
    token is not ours (constant-time check against the stored SHA-256)."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    channel = lowered.get("x-goog-channel-id", "")
    token = lowered.get("x-goog-channel-token", "")
    if not channel or not token or "_" not in channel:
        return None
    try:
        pk = uuid.UUID(channel.rsplit("_", 1)[0])
    except ValueError:
        return None
    row = (
        ExternalCalendar.objects.filter(pk=pk, provider=PROVIDER)
        .exclude(status=Health.DISCONNECTED)
        .first()
    )
    if row is None or not row.push_secret_hash:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    if not hmac.compare_digest(digest, row.push_secret_hash):
        return None
    if channel not in {c["id"] for c in _channels(row)}:
        return None  # an old channel (renewed since): its notifications are not needed
    return row.pk
