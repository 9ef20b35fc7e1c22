"""Microsoft 365 / Outlook connections through Microsoft Graph (calendar-sync §2–§5).

The connector of scheduling.services.calendar_sync for Provider.MICROSOFT; the protocol is
in scheduling.msgraph, tokens are MSAL's.

Authorisation: the firm's own Entra app (ATRIUM_MICROSOFT_*). `authorization_start` lets
MSAL build the auth-code flow (state, PKCE, nonce); the view keeps that dict in the session
and hands it back to `authorization_finish`, which checks the state in constant time and
redeems the code. The whole MSAL token cache (access and refresh token) is stored
encrypted (scheduling.secrets). Refreshing happens 5 minutes before expiry (MSAL's own
margin) under a row lock of the connection, re-reading the row after taking it, and the
cache is written back in the same transaction: Microsoft rotates the refresh token on use,
so two workers refreshing at once must not keep the older one.

Busy times in: `calendarView/delta` per chosen calendar with the deltaLink kept in
sync_state; a lost link means the whole window again, and so does a daily restart (the
window of a delta round is fixed when it starts, the booking horizon moves). Kept: showAs
busy and oof (tentative and workingElsewhere too when the calendar entry says
treat_tentative_as_busy), never cancelled events, never Atrium's own events (by event id
and by transactionId). Only intervals are stored, keyed by (calendar, event).

Appointments out: POST with transactionId = the appointment's uid (a retried POST returns
the event made the first time, never a second one), PATCH for a reschedule, DELETE for a
cancellation. No attendees, so Outlook never sends invitations. An Atrium event whose
changeKey changed behind Atrium's back, or that vanished, is flagged for staff and never
applied to the appointment.

Push (optional, only when calendar_sync says the site is public https): one subscription
per busy calendar, renewed at half its life; clientState is an HMAC only the server can
recompute, and only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets as pysecrets
import time
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import msal
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ServiceError
from core.http import RequestMeta
from core.links import absolute_url
from scheduling import caldav, msgraph, secrets, selectors
from scheduling.audit_actions import SchedulingAction
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
MICROSOFT = ExternalCalendar.Provider.MICROSOFT

SCOPES = list(msgraph.SCOPES)
REQUIRED_SCOPES = frozenset({"calendars.readwrite"})
REFRESH_MARGIN = dt.timedelta(minutes=5)
FULL_RESYNC_EVERY = dt.timedelta(hours=24)
MAX_BUSY_PER_CONNECTION = 20000
BUSY_SHOW_AS = frozenset({"busy", "oof"})
TENTATIVE_SHOW_AS = frozenset({"tentative", "workingelsewhere"})
PUSH_LIFETIME = dt.timedelta(minutes=msgraph.SUBSCRIPTION_MINUTES)
PUSH_KEY = "_push"  # sync_state[PUSH_KEY] = {"salt": ..., "subs": {calendar id: subscription id}}


class TokenError(Exception):
    """No usable token: `code` is auth_expired, auth or scope (never the token itself)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def is_configured() -> bool:
    return selectors.oauth_provider_configured(MICROSOFT)


def _timeout() -> float:
    return float(settings.ATRIUM_CALENDAR_API_TIMEOUT_SECONDS)


def _app(
    cache: msal.SerializableTokenCache, *, timeout: float | None = None
) -> msal.ConfidentialClientApplication:
    tenant = settings.ATRIUM_MICROSOFT_TENANT or "common"
    return msal.ConfidentialClientApplication(
        settings.ATRIUM_MICROSOFT_CLIENT_ID,
        client_credential=settings.ATRIUM_MICROSOFT_CLIENT_SECRET,
        authority=f"https://login.microsoftonline.com/{tenant}",
        token_cache=cache,
        # The authority is Microsoft's own: fetch its openid-configuration directly.
        instance_discovery=False,
        timeout=timeout or _timeout(),
    )


def _load_cache(encrypted: str) -> msal.SerializableTokenCache:
    cache = msal.SerializableTokenCache()
    if encrypted:
        cache.deserialize(secrets.decrypt(encrypted))
    return cache


def _granted(result: dict[str, Any]) -> list[str]:
    scope = result.get("scope") or []
    names = scope.split() if isinstance(scope, str) else [str(s) for s in scope]
    # Graph scopes may come back as "https://graph.microsoft.com/Calendars.ReadWrite".
    return [name.rsplit("/", 1)[-1] for name in names]


def _expires_at(result: dict[str, Any], now: dt.datetime) -> dt.datetime | None:
    try:
        return now + dt.timedelta(seconds=int(result.get("expires_in") or 0))
    except (TypeError, ValueError):
        return None


def _token_error_code(result: dict[str, Any]) -> str:
    """A short code for a failed token request (its text may quote the request: not kept)."""
    error = str(result.get("error") or "")
    if error in ("invalid_grant", "interaction_required", "login_required", "consent_required"):
        return "auth_expired"  # the refresh token is dead or consent was withdrawn
    if error == "invalid_scope":
        return "scope"
    if error in ("temporarily_unavailable", "server_error"):
        return "server_error"
    return "auth"  # invalid_client (the app secret expired), unauthorized_client...


# --- authorising ------------------------------------------------------------------------


def authorization_start(*, redirect_uri: str) -> tuple[str, dict[str, Any]]:
    """Where to send the browser, and the flow (state, PKCE verifier, nonce) to keep in the
    session until the callback."""
    app = _app(msal.SerializableTokenCache())
    # The code comes back in the query (MSAL warns that it prefers form_post): the flow
    # lives in the session, whose SameSite=Lax cookie a cross-site POST from Microsoft
    # would not carry. The code is single-use, bound to the PKCE verifier, and redeemed
    # only with the client secret.
    with warnings.catch_warnings():
        # MSAL recommends form_post on every call; the reason above is why not here.
        warnings.filterwarnings("ignore", message="response_mode='form_post'")
        flow = app.initiate_auth_code_flow(
            SCOPES, redirect_uri=redirect_uri, prompt="select_account"
        )
    return str(flow["auth_uri"]), dict(flow)


def _refusal(error: str, description: str, redirect_uri: str) -> str:
    """The person's explanation of an authorisation refusal (Entra's AADSTS numbers)."""
    if "AADSTS50011" in description or error == "redirect_uri_mismatch":
        return _(
            "The firm's Microsoft app registration does not list this address as a redirect "
            "URI. Add %(uri)s to the app's Web redirect URIs in Microsoft Entra, then connect "
            "again."
        ) % {"uri": redirect_uri}
    if any(code in description for code in ("AADSTS65001", "AADSTS90094", "AADSTS90008")):
        return _(
            "Your organisation must approve Atrium's access first: ask your Microsoft 365 "
            "administrator to grant admin consent to the firm's app, then connect again."
        )
    if any(code in description for code in ("AADSTS7000215", "AADSTS7000222")):
        return _(
            "The firm's Microsoft app secret is wrong or has expired: the administrator must "
            "create a new one and set it in Atrium's settings."
        )
    if error == "access_denied":
        return _("Access to the Outlook calendar was not allowed, so nothing was connected.")
    if error == "invalid_grant":
        return _("The Microsoft sign-in took too long or was already used: connect again.")
    return _("Microsoft refused the connection (%(code)s): connect again.") % {
        "code": error[:40] or "error"
    }


def authorization_finish(
    *,
    flow: dict[str, Any],
    params: dict[str, str],
    redirect_uri: str,
    staff: User,
    actor: User | None = None,
    meta: RequestMeta | None = None,
) -> ExternalCalendar:
    """Redeem the callback's code and store (or renew) the staff member's connection."""
    expected = str(flow.get("state") or "")
    if not expected or not hmac.compare_digest(expected, str(params.get("state") or "")):
        raise ServiceError(
            _("This sign-in did not start in this browser session: connect again from Atrium.")
        )
    if str(flow.get("redirect_uri") or "") != redirect_uri:
        raise ServiceError(_("This sign-in was started for another address: connect again."))
    if params.get("error"):
        raise ServiceError(
            _refusal(str(params["error"]), str(params.get("error_description") or ""), redirect_uri)
        )
    now = timezone.now()
    cache = msal.SerializableTokenCache()
    app = _app(cache)
    try:
        result = app.acquire_token_by_auth_code_flow(dict(flow), dict(params))
    except (ValueError, RuntimeError):  # MSAL's own checks (state, scopes, the id token's nonce)
        raise ServiceError(
            _("The Microsoft sign-in could not be checked: connect again.")
        ) from None
    if "error" in result:
        raise ServiceError(
            _refusal(str(result["error"]), str(result.get("error_description") or ""), redirect_uri)
        )
    granted = _granted(result)
    if not REQUIRED_SCOPES <= {s.lower() for s in granted}:
        raise ServiceError(
            _(
                "Microsoft did not grant access to the calendar (Calendars.ReadWrite). Connect "
                "again and allow it, or ask your administrator to approve the firm's app."
            )
        )
    refresh_tokens = list(cache.search(msal.TokenCache.CredentialType.REFRESH_TOKEN))
    if not app.get_accounts() or not refresh_tokens:
        raise ServiceError(
            _("Microsoft gave no lasting access (offline_access): connect again and allow it.")
        )
    access_token = str(result["access_token"])
    client = msgraph.Client(lambda _refresh: access_token, timeout=_timeout())
    try:
        claims = result.get("id_token_claims") or {}
        email = str(claims.get("preferred_username") or claims.get("email") or "")
        if "@" not in email:
            me = client.me()
            email = str(me.get("mail") or me.get("userPrincipalName") or "")
        found = client.calendars()
    except msgraph.GraphError as exc:
        raise ServiceError(
            _("Could not read the Outlook calendars: %(reason)s")
            % {"reason": selectors.calendar_reason(error_code(exc)[0])}
        ) from None
    finally:
        client.close()
    if not found:
        raise ServiceError(_("This Microsoft account has no calendars."))
    email = email.strip()[:254]
    with transaction.atomic():
        existing = (
            ExternalCalendar.objects.select_for_update()
            .filter(staff=staff, provider=MICROSOFT, account_email__iexact=email)
            .order_by("created_at")
            .first()
            if email
            else None
        )
        calendar = existing or ExternalCalendar(
            staff=staff, provider=MICROSOFT, name=(email or "Microsoft 365")[:80]
        )
        known = {str(c["id"]): c for c in calendar.read_calendars}
        calendar.read_calendars = _merge(found, known)
        ids = {c.id for c in found}
        if calendar.write_calendar_id not in ids:
            default = next((c for c in found if c.is_default and c.can_edit), None)
            calendar.write_calendar_id = default.id if default else ""
        calendar.account_email = email
        calendar.scopes = " ".join(granted)[:1000]
        calendar.secret_encrypted = secrets.encrypt(cache.serialize())
        calendar.token_expires_at = _expires_at(result, now)
        calendar.authorized_at = now
        calendar.early_expiries = 0
        health_reset(calendar)
        calendar.full_clean()
        calendar.save()
        _health_changed()
        audit_record(
            action=(
                SchedulingAction.CALENDAR_CHANGED if existing else SchedulingAction.CALENDAR_ADDED
            ),
            actor=actor or staff,
            meta=meta,
            obj=calendar,
            data={"provider": "microsoft", "reconnected": bool(existing)},
        )
    return calendar


def _merge(
    found: list[msgraph.RemoteCalendar], known: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The calendars listed now, keeping the choices made for those already known (the
    default calendar counts as busy on a first connection)."""
    rows = []
    for remote in found:
        before = known.get(remote.id)
        row = {**(before or {}), "id": remote.id, "name": remote.name[:200]}
        row["busy"] = bool(before["busy"]) if before is not None else remote.is_default
        rows.append(row)
    return rows


# --- tokens -----------------------------------------------------------------------------


def _cached_token(cache: msal.SerializableTokenCache) -> str:
    """An access token of the cache valid for more than the refresh margin, or ""."""
    fresh_until = time.time() + REFRESH_MARGIN.total_seconds()
    for entry in cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN, target=SCOPES):
        if int(entry.get("expires_on") or 0) > fresh_until:
            return str(entry["secret"])
    return ""


def access_token(calendar_id: Any, *, stale: str = "") -> str:
    """A valid access token for the connection; `stale` is one Graph just refused (401).

    Without a refresh due, the stored cache answers (no lock, no request). Otherwise under
    the connection's row lock, re-reading the row first: another worker may have refreshed
    already, and its rotated refresh token is the one to use and keep.
    """
    now = timezone.now()
    if not stale:
        found = (
            ExternalCalendar.objects.filter(pk=calendar_id)
            .values_list("secret_encrypted", "token_expires_at")
            .first()
        )
        if found is None:
            raise TokenError("auth_expired")
        encrypted, expires_at = found
        if expires_at is not None and expires_at - REFRESH_MARGIN > now:
            token = _cached_token(_load_cache(encrypted))
            if token:
                return token
    with transaction.atomic():
        locked = ExternalCalendar.objects.select_for_update().filter(pk=calendar_id).first()
        if locked is None or locked.status == Health.DISCONNECTED or not locked.secret_encrypted:
            raise TokenError("auth_expired")
        cache = _load_cache(locked.secret_encrypted)
        app = _app(cache)
        accounts = app.get_accounts()
        if not accounts:
            raise TokenError("auth_expired")
        result = app.acquire_token_silent_with_error(SCOPES, accounts[0])
        if result and result.get("access_token") == stale:
            result = app.acquire_token_silent_with_error(SCOPES, accounts[0], force_refresh=True)
        if not result:
            raise TokenError("auth_expired")  # no refresh token left in the cache
        if "error" in result or not result.get("access_token"):
            raise TokenError(_token_error_code(result))
        if cache.has_state_changed:
            locked.secret_encrypted = secrets.encrypt(cache.serialize())
            locked.token_expires_at = _expires_at(result, now)
            locked.save(update_fields=["secret_encrypted", "token_expires_at"])
        return str(result["access_token"])


def _client(calendar: ExternalCalendar, *, timeout: float | None = None) -> msgraph.Client:
    held = {"token": ""}

    def token(refresh: bool) -> str:
        if refresh or not held["token"]:
            held["token"] = access_token(calendar.pk, stale=held["token"] if refresh else "")
        return held["token"]

    return msgraph.Client(token, timeout=timeout or _timeout())


def error_code(exc: BaseException) -> tuple[str, dt.datetime | None]:
    """A short code for a failure (never its text), and when to try again if Graph said."""
    if isinstance(exc, TokenError):
        return exc.code, None
    if isinstance(exc, msgraph.GraphError):
        retry_after = (
            timezone.now() + dt.timedelta(seconds=exc.retry_after)
            if exc.retry_after is not None
            else None
        )
        code = {"not_found": "no_calendar", "resync": "server_error"}.get(exc.code, exc.code)
        return code, retry_after
    if isinstance(exc, secrets.SecretUnreadable):
        return "secret", None
    return failure_code(exc)


# --- reading busy times -----------------------------------------------------------------


def _counts(event: msgraph.Event, entry: dict[str, Any]) -> bool:
    if event.is_cancelled:
        return False
    show_as = event.show_as.lower()
    if show_as in BUSY_SHOW_AS:
        return True
    return show_as in TENTATIVE_SHOW_AS and bool(entry.get("treat_tentative_as_busy"))


def _own(event: msgraph.Event, link_ids: set[str], own_uids: set[str]) -> bool:
    """Atrium's event: by its id, or by the transactionId it was created with (the uid, or
    the uid/suffix of an event re-created after a deletion in Outlook)."""
    return event.id in link_ids or (
        bool(event.transaction_id) and event.transaction_id.split("/", 1)[0] in own_uids
    )


def _interval(event: msgraph.Event, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    if not event.is_all_day:
        return event.start, event.end
    # An all-day event is a floating date: the whole day where the lawyer is.
    start = dt.datetime.combine(event.start.date(), dt.time(), tzinfo=zone)
    end = dt.datetime.combine(event.end.date(), dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def sync(*, calendar_id: Any, now: dt.datetime) -> bool:
    """One read of a Microsoft connection; True if it worked (calendar_sync's connector)."""
    calendar = (
        ExternalCalendar.objects.select_related("staff")
        .filter(pk=calendar_id, provider=MICROSOFT)
        .exclude(status=Health.DISCONNECTED)
        .first()
    )
    if calendar is None:
        return False
    if calendar.retry_after and now < calendar.retry_after:
        return False
    zone = ZoneInfo(calendar.staff.time_zone or selectors.firm_time_zone())
    start = now - dt.timedelta(days=IMPORT_DAYS_BACK)
    end = now + dt.timedelta(days=IMPORT_DAYS_AHEAD)
    links = list(
        ExternalEventLink.objects.filter(calendar=calendar)
        .exclude(remote_event_id="")
        .select_related("appointment")
    )
    own_uids = set(
        ExternalEventLink.objects.filter(calendar=calendar).values_list(
            "appointment_uid", flat=True
        )
    )
    entries = {str(c["id"]): c for c in calendar.busy_calendars}
    ids = list(
        dict.fromkeys(
            [*entries, *([calendar.write_calendar_id] if calendar.write_calendar_id else [])]
        )
    )
    state: dict[str, Any] = {}
    reads: list[tuple[str, msgraph.Delta]] = []
    client = _client(calendar)
    try:
        for remote_id in ids:
            before = calendar.sync_state.get(remote_id)
            before = before if isinstance(before, dict) else {}
            link = str(before.get("delta") or "")
            full_at = str(before.get("full_at") or "")
            if not full_at or now - dt.datetime.fromisoformat(full_at) > FULL_RESYNC_EVERY:
                link = ""  # a new round: the window moves with the booking horizon
            try:
                delta = client.delta(remote_id, start=start, end=end, delta_link=link)
            except msgraph.GoneError:
                if not link:
                    raise
                delta = client.delta(remote_id, start=start, end=end)  # lost: the whole window
            reads.append((remote_id, delta))
            state[remote_id] = {
                "delta": delta.delta_link,
                "full_at": now.isoformat() if delta.full else full_at,
            }
    except Exception as exc:  # noqa: BLE001 - every failure counts against the health
        code, retry_after = error_code(exc)
        connection_failed(calendar_id=calendar.pk, code=code, now=now, retry_after=retry_after)
        return False
    finally:
        client.close()
    link_ids = {link.remote_event_id for link in links}
    busy: dict[str, list[tuple[str, tuple[dt.datetime, dt.datetime]]]] = {}
    for remote_id, delta in reads:
        entry = entries.get(remote_id)
        if entry is None:
            continue  # the write calendar only: read for edits of Atrium's events, not busy
        busy[remote_id] = [
            (event.id, _interval(event, zone))
            for event in delta.changed
            if _counts(event, entry) and not _own(event, link_ids, own_uids)
        ]
    if not _apply(calendar, reads, busy, state):
        return False
    _flag_external_edits(reads, links, start=start, end=end, now=now)
    connection_succeeded(calendar_id=calendar.pk, now=now)
    return True


def _apply(
    calendar: ExternalCalendar,
    reads: list[tuple[str, msgraph.Delta]],
    busy: dict[str, list[tuple[str, tuple[dt.datetime, dt.datetime]]]],
    state: dict[str, Any],
) -> bool:
    """Replace the changed events' busy times and keep the new delta links, atomically.

    Under the connection's row lock, so two workers syncing at once apply one after the
    other, each replacing by event key: no interval is ever stored twice.
    """
    with transaction.atomic():
        row = ExternalCalendar.objects.select_for_update().get(pk=calendar.pk)
        if row.status == Health.DISCONNECTED:
            return False
        # Calendars no longer chosen leave nothing behind.
        stale = BusyTime.objects.filter(calendar=row)
        for remote_id in busy:
            stale = stale.exclude(remote_key_hash__startswith=caldav.key_hash(remote_id))
        stale.delete()
        rows: list[BusyTime] = []
        for remote_id, delta in reads:
            if remote_id not in busy:
                continue
            if delta.full:
                BusyTime.objects.filter(
                    calendar=row, remote_key_hash__startswith=caldav.key_hash(remote_id)
                ).delete()
            else:
                keys = [
                    caldav.key_hash(remote_id, item)
                    for item in [*(e.id for e in delta.changed), *delta.removed]
                ]
                for i in range(0, len(keys), 500):
                    BusyTime.objects.filter(
                        calendar=row, remote_key_hash__in=keys[i : i + 500]
                    ).delete()
            rows += [
                BusyTime(
                    calendar=row,
                    staff_id=row.staff_id,
                    start_at=s,
                    end_at=e,
                    remote_key_hash=caldav.key_hash(remote_id, event_id),
                )
                for event_id, (s, e) in busy[remote_id]
                if e > s
            ]
        if rows:  # an unchanged calendar leaves the cached slots alone
            BusyTime.objects.bulk_create(rows[:MAX_BUSY_PER_CONNECTION])
        # The push subscriptions are kept by push_ensure under this same lock: keep theirs.
        if PUSH_KEY in row.sync_state:
            state[PUSH_KEY] = row.sync_state[PUSH_KEY]
        row.sync_state = state
        row.save(update_fields=["sync_state"])
    return True


def _flag_external_edits(
    reads: list[tuple[str, msgraph.Delta]],
    links: list[ExternalEventLink],
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> None:
    """Atrium events changed (another changeKey) or deleted in Outlook: flag, never apply.

    Compared with the link as it is now, not as it was when the read began: a write-back
    in between stored the changeKey of Atrium's own change.
    """
    by_id = {link.remote_event_id: link for link in links if link.state == Link.SYNCED}
    changed: dict[Any, str] = {}
    gone: set[Any] = set()
    for remote_id, delta in reads:
        for event in delta.changed:
            link = by_id.get(event.id)
            if link is not None and event.change_key and event.change_key != link.remote_etag:
                changed[link.pk] = event.change_key
        gone.update(by_id[item].pk for item in delta.removed if item in by_id)
        if delta.full:
            # The window's whole listing: a synced event of this calendar in it, missing
            # from the listing, was deleted.
            listed = {event.id for event in delta.changed}
            gone.update(
                link.pk
                for link in by_id.values()
                if link.remote_calendar_id == remote_id
                and link.remote_event_id not in listed
                and start <= link.appointment.start_at < end
            )
    unflagged = ExternalEventLink.objects.filter(state=Link.SYNCED, external_change_seen_at=None)
    for pk, change_key in changed.items():
        unflagged.filter(pk=pk).exclude(remote_etag=change_key).update(external_change_seen_at=now)
    if gone:
        unflagged.filter(pk__in=gone).update(external_change_seen_at=now)


# --- the live check at booking time -----------------------------------------------------


def live_busy(
    calendar: ExternalCalendar,
    start: dt.datetime,
    end: dt.datetime,
    *,
    timeout: float,
    own_uids: set[str],
) -> bool:
    """Whether the chosen calendars show a busy event in [start, end) right now. Raises on
    failure (the caller falls back to the synced busy times)."""
    deadline = time.monotonic() + timeout
    link_ids = set(
        ExternalEventLink.objects.filter(calendar=calendar)
        .exclude(remote_event_id="")
        .values_list("remote_event_id", flat=True)
    )
    for entry in calendar.busy_calendars:
        remaining = deadline - time.monotonic()
        if remaining <= 0.05:
            raise msgraph.GraphError("timeout")
        client = _client(calendar, timeout=min(remaining, _timeout()))
        try:
            events = client.calendar_view(str(entry["id"]), start=start, end=end, max_pages=2)
        finally:
            client.close()
        for event in events:
            if (
                _counts(event, entry)
                and not _own(event, link_ids, own_uids)
                and event.start < end
                and event.end > start
            ):
                return True
    return False


# --- writing appointments ---------------------------------------------------------------


def _body(content: EventContent) -> dict[str, Any]:
    return msgraph.event_body(
        subject=content.summary,
        start=content.start,
        end=content.end,
        location=content.location,
        description=content.description,
    )


def put_event(
    calendar: ExternalCalendar, link: ExternalEventLink, content: EventContent
) -> tuple[str, str]:
    """Create or update Atrium's event; (its id, its changeKey).

    Created with transactionId = the uid: a POST retried after a timeout (the first one
    may have arrived) gets the existing event back, never a second one. A reschedule
    patches the same event. One deleted in Outlook while the appointment stands is made
    again, under a transactionId derived from the deleted event (retries stay single).
    """
    body = _body(content)
    client = _client(calendar)
    try:
        transaction_id = content.uid
        if link.remote_event_id:
            try:
                event = client.update_event(link.remote_event_id, body)
                return event.id or link.remote_event_id, event.change_key
            except msgraph.GraphError as exc:
                if exc.code != "not_found":
                    raise
            suffix = hashlib.sha256(link.remote_event_id.encode()).hexdigest()[:12]
            transaction_id = f"{content.uid}/{suffix}"
        event = client.create_event(
            link.remote_calendar_id or calendar.write_calendar_id,
            {**body, "transactionId": transaction_id},
        )
        if (event.start, event.end) != (content.start, content.end):
            # The event the first, timed-out POST made, before a reschedule: bring it along.
            event = client.update_event(event.id, body)
        return event.id, event.change_key
    finally:
        client.close()


def delete_event(calendar: ExternalCalendar, link: ExternalEventLink) -> None:
    """Remove Atrium's event (a cancellation); already gone is fine. Without an event id
    (its create never answered) there is nothing Graph can find to delete."""
    if not link.remote_event_id:
        return
    client = _client(calendar)
    try:
        client.delete_event(link.remote_event_id)
    finally:
        client.close()


# --- disconnecting ----------------------------------------------------------------------


def disconnect(calendar: ExternalCalendar) -> None:
    """Stop the push subscriptions (best effort, never raises); calendar_disconnect then
    forgets the token cache and the push fields.

    Microsoft offers no endpoint for an app to revoke one user's refresh token (only
    revokeSignInSessions, which signs the person out of every app and device): deleting the
    cache is what Atrium can do; the person can remove the app's access at
    myapps.microsoft.com (or the tenant admin in Entra).
    """
    subscriptions = [s for s in calendar.push_channel_id.split(",") if s]
    if subscriptions:
        client = _client(calendar)
        try:
            for subscription_id in subscriptions:
                client.delete_subscription(subscription_id)
        except Exception as exc:  # noqa: BLE001 - they expire on their own within 3 days
            logger.info(
                "microsoft disconnect: subscriptions left to expire (%s)", error_code(exc)[0]
            )
        finally:
            client.close()


# --- push -------------------------------------------------------------------------------


def _client_state(calendar_id: Any, salt: str) -> str:
    """The subscriptions' clientState: recomputable by this server only (SECRET_KEY), so
    the database holds just its SHA-256 and a new subscription can share it."""
    message = f"atrium-msgraph-push\n{calendar_id}\n{salt}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def push_ensure(calendar: ExternalCalendar, *, now: dt.datetime) -> None:
    """Subscriptions for the busy calendars, created or renewed at half their lifetime.

    A no-op unless push can be used; failures are logged, never raised (polling goes on).
    """
    if not push_allowed():
        return
    try:
        _push_ensure(calendar, now=now)
    except Exception as exc:  # noqa: BLE001 - push is an extra: polling still works
        logger.warning("microsoft push subscription not renewed (%s)", error_code(exc)[0])


def _push_ensure(calendar: ExternalCalendar, *, now: dt.datetime) -> None:
    wanted = [str(c["id"]) for c in calendar.busy_calendars]
    push = calendar.sync_state.get(PUSH_KEY) or {}
    due = calendar.push_expires_at is None or now >= calendar.push_expires_at - PUSH_LIFETIME / 2
    if not due and set(push.get("subs") or {}) == set(wanted):
        return  # nothing to do: no request, no lock
    # The row lock is held across the requests so two workers never both create
    # subscriptions (the token refresh takes the same lock within this transaction).
    with transaction.atomic():
        row = ExternalCalendar.objects.select_for_update().get(pk=calendar.pk)
        if row.status != Health.OK and row.status != Health.DEGRADED:
            return
        push = dict(row.sync_state.get(PUSH_KEY) or {})
        subs: dict[str, str] = dict(push.get("subs") or {})
        wanted = [str(c["id"]) for c in row.busy_calendars]
        due = row.push_expires_at is None or now >= row.push_expires_at - PUSH_LIFETIME / 2
        if not due and set(subs) == set(wanted):
            return
        salt = str(push.get("salt") or "") if subs else ""
        salt = salt or pysecrets.token_urlsafe(16)
        client_state = _client_state(row.pk, salt)
        url = absolute_url(reverse("scheduling:calendar-push-microsoft"))
        expires = now + PUSH_LIFETIME
        expiry = {remote_id: row.push_expires_at or now for remote_id in subs}
        failure: Exception | None = None
        client = _client(row)
        try:
            for remote_id in [r for r in subs if r not in wanted]:
                client.delete_subscription(subs.pop(remote_id))
                expiry.pop(remote_id, None)
            for remote_id in wanted:
                if remote_id in subs and not due:
                    continue
                subscription: msgraph.Subscription | None = None
                if remote_id in subs:
                    try:
                        subscription = client.renew_subscription(
                            subs[remote_id], expires_at=expires
                        )
                    except msgraph.GraphError as exc:
                        if exc.code != "not_found":
                            raise
                        subs.pop(remote_id)  # Graph dropped it: make a new one
                if subscription is None:
                    subscription = client.create_subscription(
                        resource=f"me/calendars/{remote_id}/events",
                        notification_url=url,
                        lifecycle_url=url,
                        client_state=client_state,
                        expires_at=expires,
                    )
                subs[remote_id] = subscription.id
                expiry[remote_id] = subscription.expires_at or expires
        except Exception as exc:  # noqa: BLE001 - what was done is recorded, then it is raised
            failure = exc
        finally:
            client.close()
        # What exists at Graph is recorded, even when a later request failed.
        row.sync_state = {**row.sync_state, PUSH_KEY: {"salt": salt, "subs": subs}}
        row.push_channel_id = ",".join(subs.values())[:1000]
        row.push_expires_at = min(expiry[r] for r in subs) if subs else None
        row.push_secret_hash = _sha256(client_state) if subs else ""
        row.save(
            update_fields=[
                "sync_state",
                "push_channel_id",
                "push_expires_at",
                "push_secret_hash",
            ]
        )
    if failure is not None:
        raise failure


def _subscription_rows(ids: Iterable[str]) -> dict[str, ExternalCalendar]:
    wanted = set(ids)
    rows: dict[str, ExternalCalendar] = {}
    query = Q()
    for subscription_id in wanted:
        query |= Q(push_channel_id__contains=subscription_id)
    if not wanted:
        return rows
    for row in ExternalCalendar.objects.filter(query, provider=MICROSOFT).exclude(
        status=Health.DISCONNECTED
    ):
        for subscription_id in row.push_channel_id.split(","):
            if subscription_id in wanted:
                rows[subscription_id] = row
    return rows


def push_received(*, payload: dict[str, Any]) -> list[Any] | None:
    """The connections to sync after a Graph notification; None when a clientState is
    wrong (the view answers 403 and nothing is synced).

    The payload is never trusted beyond naming a subscription: the sync reads Graph
    itself. Lifecycle events: reauthorizationRequired makes the next push_ensure renew at
    once, subscriptionRemoved makes it create that subscription again, missed is made up
    for by the delta read the sync does anyway.
    """
    notes = payload.get("value") if isinstance(payload, dict) else None
    if not isinstance(notes, list):
        return None
    if not all(isinstance(n, dict) and n.get("subscriptionId") for n in notes):
        return None
    rows = _subscription_rows(str(n["subscriptionId"]) for n in notes)
    ids: list[Any] = []
    for note in notes:
        row = rows.get(str(note["subscriptionId"]))
        if row is None:
            continue  # a subscription Atrium no longer keeps: it expires on its own
        given = _sha256(str(note.get("clientState") or ""))
        if not row.push_secret_hash or not hmac.compare_digest(given, row.push_secret_hash):
            return None
        event = str(note.get("lifecycleEvent") or "")
        if event == "reauthorizationRequired":
            ExternalCalendar.objects.filter(pk=row.pk).update(push_expires_at=timezone.now())
        elif event == "subscriptionRemoved":
            _forget_subscription(row.pk, str(note["subscriptionId"]))
        ids.append(row.pk)
    return list(dict.fromkeys(ids))


def _forget_subscription(calendar_id: Any, subscription_id: str) -> None:
    with transaction.atomic():
        row = ExternalCalendar.objects.select_for_update().get(pk=calendar_id)
        push = dict(row.sync_state.get(PUSH_KEY) or {})
        subs = {k: v for k, v in (push.get("subs") or {}).items() if v != subscription_id}
        row.sync_state = {**row.sync_state, PUSH_KEY: {**push, "subs": subs}}
        row.push_channel_id = ",".join(subs.values())
        row.save(update_fields=["sync_state", "push_channel_id"])
