"""A Stripe that lives in memory, behind the official library's HTTP layer.

``FakeStripe`` is a ``stripe.HTTPClient``: ``StripeClient(http_client=FakeStripe())``
sends it the real requests the library builds (form-encoded bodies, ``Idempotency-Key``
and ``Stripe-Version`` headers, the library's own retries) and parses its answers as it
parses Stripe's. Everything above the HTTP layer, Atrium's gateway included, is the real
code.

It records every request (``fake.requests``) and answers in two ways:

* a small, realistic Stripe: customers, Checkout Sessions (payment and setup mode) that
  tests complete, settle or expire as a client or Stripe would, PaymentIntents (with
  Stripe's test payment methods ``pm_card_visa``, ``pm_card_chargeDeclined``,
  ``pm_card_authenticationRequired``...), charges with balance transactions, refunds,
  SetupIntents, events, list endpoints with pagination, and idempotency (a replay with
  the same key and parameters returns the stored answer; other parameters → 400);
* scripted replies that take precedence: ``fake.script("post", "/v1/checkout/sessions",
  Reply.server_error(), PASS)`` answers the first matching request with a 500 and lets
  the second through to the in-memory Stripe. ``TIMEOUT`` makes the library see a
  connection timeout; ``LOST_ANSWER`` lets Stripe act and then loses its answer.

``sign_webhook(payload, secret)`` signs a body with the real scheme
(``t=<unix>,v1=<HMAC-SHA256>``) through the library's ``WebhookSignature``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe
from requests.structures import CaseInsensitiveDict

Json = dict[str, Any]


# ---------------------------------------------------------------------------
# Form decoding: what the library encodes, back into nested dicts and lists
# ---------------------------------------------------------------------------


def decode_form(encoded: str | bytes | None) -> Json:
    """``a[b][0][c]=x&n=1`` → ``{"a": {"b": [{"c": "x"}]}, "n": "1"}``."""
    if not encoded:
        return {}
    if isinstance(encoded, bytes):
        encoded = encoded.decode("utf-8")
    root: Json = {}
    for key, value in parse_qsl(encoded, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _listify(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


# ---------------------------------------------------------------------------
# Scripted replies
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    body: Json
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def ok(cls, body: Json) -> Reply:
        return cls(200, body)

    @classmethod
    def error(cls, status: int, type_: str, message: str, **extra: Any) -> Reply:
        return cls(status, {"error": {"type": type_, "message": message, **extra}})

    @classmethod
    def card_declined(cls, decline_code: str = "generic_decline") -> Reply:
        return cls.error(
            402,
            "card_error",
            "Your card was declined.",
            code="card_declined",
            decline_code=decline_code,
        )

    @classmethod
    def authentication_required(cls, payment_intent: Json | None = None) -> Reply:
        return cls.error(
            402,
            "card_error",
            "Your card was declined. This transaction requires authentication.",
            code="authentication_required",
            decline_code="authentication_required",
            payment_intent=payment_intent,
        )

    @classmethod
    def server_error(cls, *, should_retry: bool | None = None) -> Reply:
        """A 500. Stripe says ``Stripe-Should-Retry: false`` when the failed result is
        stored under the idempotency key (a retry would only replay it)."""
        headers = (
            {}
            if should_retry is None
            else {"Stripe-Should-Retry": "true" if should_retry else "false"}
        )
        return cls(
            500,
            {"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}},
            headers,
        )

    @classmethod
    def rate_limited(cls) -> Reply:
        return cls.error(429, "invalid_request_error", "Too many requests.", code="rate_limit")

    @classmethod
    def bad_key(cls) -> Reply:
        return cls.error(401, "invalid_request_error", "Invalid API Key provided: sk_test_****1234")


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


TIMEOUT = _Sentinel("TIMEOUT")  # no answer; Stripe did nothing
LOST_ANSWER = _Sentinel("LOST_ANSWER")  # Stripe did it, the answer never arrived
PASS = _Sentinel("PASS")
Scripted = Reply | _Sentinel | Callable[["RecordedRequest"], Reply]


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: Json
    headers: Mapping[str, str]
    idempotency_key: str | None
    stripe_version: str | None
    raw_body: str | None


# ---------------------------------------------------------------------------
# The fake
# ---------------------------------------------------------------------------

# Stripe's documented test payment methods and what an off-session charge does with them.
TEST_PAYMENT_METHODS: dict[str, tuple[str, str | None]] = {
    "pm_card_visa": ("succeeded", None),
    "pm_card_mastercard": ("succeeded", None),
    "pm_card_chargeDeclined": ("declined", "generic_decline"),
    "pm_card_chargeDeclinedInsufficientFunds": ("declined", "insufficient_funds"),
    "pm_card_chargeDeclinedExpiredCard": ("declined", "expired_card"),
    "pm_card_authenticationRequired": ("authentication_required", None),
    "pm_sepa_debit": ("processing", None),
}
METHOD_CURRENCIES = {"card": None, "blik": {"pln"}, "p24": {"pln", "eur"}, "sepa_debit": {"eur"}}
REUSABLE_METHODS = {"card", "sepa_debit"}


class FakeStripe(stripe.HTTPClient):
    name = "atrium-fake-stripe"

    def __init__(self, *, livemode: bool = False, fee_percent: str = "1.5") -> None:
        super().__init__()
        self.livemode = livemode
        self.fee_percent = fee_percent
        self.requests: list[RecordedRequest] = []
        self.objects: dict[str, Json] = {}
        self.events: list[Json] = []
        self.sleeps: list[float] = []
        self.refund_status = "succeeded"
        self._scripts: list[tuple[str, re.Pattern[str], deque[Scripted]]] = []
        self._idempotency: dict[str, tuple[str, str, Json, tuple[str, int, Any]]] = {}
        self._counter = itertools.count(1)

    # -- the library's interface ---------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Any]:
        parts = urlsplit(url)
        params = decode_form(parts.query) if method == "get" else decode_form(post_data)
        headers = dict(headers or {})
        recorded = RecordedRequest(
            method=method,
            path=parts.path,
            params=params,
            headers=headers,
            idempotency_key=headers.get("Idempotency-Key"),
            stripe_version=headers.get("Stripe-Version"),
            raw_body=post_data if isinstance(post_data, str) else None,
        )
        self.requests.append(recorded)
        scripted = self._take_script(method, parts.path)
        if scripted is TIMEOUT:
            raise stripe.APIConnectionError("Request timed out (fake).", should_retry=True)
        if scripted is LOST_ANSWER:
            self._stateful(recorded)
            raise stripe.APIConnectionError(
                "Connection reset while reading the answer (fake).", should_retry=True
            )
        if isinstance(scripted, Reply):
            return self._respond(scripted)
        if callable(scripted) and not isinstance(scripted, _Sentinel):
            return self._respond(scripted(recorded))
        return self._stateful(recorded)

    def request_stream(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("Atrium never streams from Stripe")

    def close(self) -> None:
        pass

    def _sleep_time_seconds(self, num_retries: int) -> float:
        # The library's backoff would sleep for real; the attempt is recorded instead.
        self.sleeps.append(super()._sleep_time_seconds(num_retries))
        return 0.0

    # -- scripting -----------------------------------------------------------

    def script(self, method: str, path: str, *replies: Scripted) -> None:
        """Queue replies for requests whose path matches ``path`` (a regex, anchored)."""
        self._scripts.append((method.lower(), re.compile(f"^{path}$"), deque(replies)))

    def _take_script(self, method: str, path: str) -> Scripted | None:
        for script_method, pattern, queue in self._scripts:
            if script_method == method and pattern.match(path) and queue:
                return queue.popleft()
        return None

    def calls(self, method: str, path: str) -> list[RecordedRequest]:
        pattern = re.compile(f"^{path}$")
        return [r for r in self.requests if r.method == method and pattern.match(r.path)]

    # -- plumbing --------------------------------------------------------------

    def _respond(self, reply: Reply) -> tuple[str, int, Any]:
        headers = CaseInsensitiveDict(
            {"Request-Id": f"req_fake{next(self._counter):06d}", **reply.headers}
        )
        return json.dumps(reply.body), reply.status, headers

    def _new_id(self, prefix: str) -> str:
        mode = "live" if self.livemode else "test"
        return f"{prefix}_{mode}_{next(self._counter):08d}Atr"

    def _stateful(self, req: RecordedRequest) -> tuple[str, int, Any]:
        key = req.idempotency_key
        if req.method == "post" and key:
            stored = self._idempotency.get(key)
            if stored is not None:
                method, path, params, answer = stored
                if (method, path, params) != (req.method, req.path, req.params):
                    return self._respond(
                        Reply.error(
                            400,
                            "idempotency_error",
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with.",
                        )
                    )
                body, status, headers = answer
                replayed = CaseInsensitiveDict(headers)
                replayed["Idempotent-Replayed"] = "true"
                return body, status, replayed
        reply = self._route(req)
        answer = self._respond(reply)
        # Stripe stores results once the endpoint ran; failed validation is not stored.
        if (
            req.method == "post"
            and key
            and not (reply.status == 400 and reply.body["error"].get("param"))
        ):
            self._idempotency[key] = (req.method, req.path, req.params, answer)
        return answer

    def _route(self, req: RecordedRequest) -> Reply:
        routes: list[tuple[str, str, Callable[..., Reply]]] = [
            ("post", r"/v1/customers", self._create_customer),
            ("post", r"/v1/checkout/sessions", self._create_session),
            ("get", r"/v1/checkout/sessions", self._list_sessions),
            ("get", r"/v1/checkout/sessions/(cs_[A-Za-z0-9_]+)", self._get_session),
            ("post", r"/v1/checkout/sessions/(cs_[A-Za-z0-9_]+)/expire", self._expire_session),
            ("post", r"/v1/payment_intents", self._create_payment_intent),
            ("get", r"/v1/payment_intents", self._list_payment_intents),
            ("get", r"/v1/payment_intents/(pi_[A-Za-z0-9_]+)", self._get_object),
            ("get", r"/v1/charges/((?:ch|py)_[A-Za-z0-9_]+)", self._get_object),
            ("get", r"/v1/balance_transactions/(txn_[A-Za-z0-9_]+)", self._get_object),
            ("post", r"/v1/refunds", self._create_refund),
            ("get", r"/v1/refunds/(re_[A-Za-z0-9_]+)", self._get_object),
            ("get", r"/v1/disputes/(dp_[A-Za-z0-9_]+)", self._get_object),
            ("get", r"/v1/setup_intents/(seti_[A-Za-z0-9_]+)", self._get_setup_intent),
            ("get", r"/v1/events", self._list_events),
        ]
        for method, pattern, handler in routes:
            match = re.fullmatch(pattern, req.path)
            if method == req.method and match:
                return handler(req, *match.groups())
        return Reply.error(
            404,
            "invalid_request_error",
            f"Unrecognized request URL ({req.method.upper()}: {req.path}).",
        )

    @staticmethod
    def _missing(object_id: str) -> Reply:
        return Reply.error(
            404,
            "invalid_request_error",
            f"No such object: '{object_id}'",
            code="resource_missing",
            param="id",
        )

    @staticmethod
    def _invalid(message: str, param: str, code: str = "parameter_invalid") -> Reply:
        return Reply.error(400, "invalid_request_error", message, param=param, code=code)

    def _expand(self, obj: Json, expand: list[str]) -> Json:
        out = dict(obj)
        for path in expand:
            head, _dot, rest = path.partition(".")
            value = out.get(head)
            if isinstance(value, str) and value in self.objects:
                out[head] = self._expand(self.objects[value], [rest] if rest else [])
        return out

    def _get_object(self, req: RecordedRequest, object_id: str) -> Reply:
        obj = self.objects.get(object_id)
        if obj is None:
            return self._missing(object_id)
        return Reply.ok(self._expand(obj, req.params.get("expand", [])))

    def _list(self, req: RecordedRequest, items: list[Json], url: str) -> Reply:
        created = req.params.get("created", {})
        gte = int(created.get("gte", 0)) if isinstance(created, dict) else 0
        items = sorted(
            (o for o in items if o["created"] >= gte),
            key=lambda o: (o["created"], o["id"]),
            reverse=True,
        )
        after = req.params.get("starting_after")
        if after:
            ids = [o["id"] for o in items]
            items = items[ids.index(after) + 1 :] if after in ids else []
        limit = int(req.params.get("limit", 10))
        return Reply.ok(
            {"object": "list", "url": url, "data": items[:limit], "has_more": len(items) > limit}
        )

    # -- customers -------------------------------------------------------------

    def _create_customer(self, req: RecordedRequest) -> Reply:
        customer = {
            "id": self._new_id("cus"),
            "object": "customer",
            "created": int(time.time()),
            "email": req.params.get("email"),
            "name": req.params.get("name"),
            "metadata": req.params.get("metadata", {}),
            "livemode": self.livemode,
        }
        self.objects[customer["id"]] = customer
        return Reply.ok(customer)

    # -- Checkout Sessions -------------------------------------------------------

    def _create_session(self, req: RecordedRequest) -> Reply:
        p = req.params
        mode = p.get("mode")
        if mode not in ("payment", "setup"):
            return self._invalid("Invalid mode.", "mode")
        if not p.get("success_url"):
            return self._invalid(
                "Missing required param: success_url.", "success_url", "parameter_missing"
            )
        now = int(time.time())
        expires_at = int(p.get("expires_at", now + 24 * 3600))
        if not now + 30 * 60 <= expires_at <= now + 24 * 3600:
            return self._invalid(
                "The `expires_at` timestamp must be between 30 minutes and 24 hours "
                "from Checkout Session creation.",
                "expires_at",
            )
        methods = p.get("payment_method_types", ["card"])
        amount_total, currency = None, p.get("currency")
        if mode == "payment":
            items = p.get("line_items") or []
            if not items:
                return self._invalid(
                    "line_items is required in payment mode.", "line_items", "parameter_missing"
                )
            currency = items[0]["price_data"]["currency"]
            amount_total = sum(
                int(i["price_data"]["unit_amount"]) * int(i["quantity"]) for i in items
            )
            if amount_total > 99_999_999:
                return self._invalid(
                    "Amount must be no more than 999,999.99.",
                    "line_items[0][price_data][unit_amount]",
                    "amount_too_large",
                )
            if currency == "pln" and amount_total < 200 or amount_total < 50:
                return self._invalid(
                    "Amount must be at least the minimum charge.",
                    "line_items[0][price_data][unit_amount]",
                    "amount_too_small",
                )
            future = (p.get("payment_intent_data") or {}).get("setup_future_usage")
            if future and any(m not in REUSABLE_METHODS for m in methods):
                return self._invalid(
                    "setup_future_usage is not supported by blik/p24.", "payment_method_types"
                )
        for method in methods:
            allowed = METHOD_CURRENCIES.get(method, set())
            if allowed is not None and currency not in allowed:
                return self._invalid(
                    f"The payment method `{method}` cannot be used with {currency}.",
                    "payment_method_types",
                )
        customer = p.get("customer")
        if customer and customer not in self.objects:
            return self._missing(customer)
        session = {
            "id": self._new_id("cs"),
            "object": "checkout.session",
            "created": now,
            "mode": mode,
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": amount_total,
            "currency": currency,
            "client_reference_id": p.get("client_reference_id"),
            "metadata": p.get("metadata", {}),
            "customer": customer,
            "customer_email": p.get("customer_email"),
            "payment_intent": None,
            "setup_intent": None,
            "payment_method_types": methods,
            "expires_at": expires_at,
            "success_url": p.get("success_url"),
            "cancel_url": p.get("cancel_url"),
            "locale": p.get("locale"),
            "livemode": self.livemode,
            "_payment_intent_data": p.get("payment_intent_data") or {},
            "_setup_intent_data": p.get("setup_intent_data") or {},
        }
        session["url"] = f"https://checkout.stripe.com/c/pay/{session['id']}"
        self.objects[session["id"]] = session
        return Reply.ok(self._public(session))

    @staticmethod
    def _public(obj: Json) -> Json:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    def _get_session(self, req: RecordedRequest, session_id: str) -> Reply:
        session = self.objects.get(session_id)
        if session is None:
            return self._missing(session_id)
        self._lapse(session)
        return Reply.ok(self._expand(self._public(session), req.params.get("expand", [])))

    def _list_sessions(self, req: RecordedRequest) -> Reply:
        sessions = [
            self._public(o) for o in self.objects.values() if o["object"] == "checkout.session"
        ]
        return self._list(req, sessions, "/v1/checkout/sessions")

    def _expire_session(self, req: RecordedRequest, session_id: str) -> Reply:
        session = self.objects.get(session_id)
        if session is None:
            return self._missing(session_id)
        self._lapse(session)
        if session["status"] != "open":
            return Reply.error(
                400,
                "invalid_request_error",
                f'Only Checkout Sessions with a status in ["open"] can be expired. '
                f'This Checkout Session has a status of "{session["status"]}".',
            )
        session["status"] = "expired"
        self.emit("checkout.session.expired", session)
        return Reply.ok(self._public(session))

    def _lapse(self, session: Json) -> None:
        if session["status"] == "open" and session["expires_at"] <= time.time():
            session["status"] = "expired"
            self.emit("checkout.session.expired", session)

    # -- what the client and the bank do (test helpers) ------------------------

    def complete_session(
        self, session_id: str, *, method: str = "card", paid: bool | None = None
    ) -> Json:
        """The client pays on Checkout. Card payments are paid at once; BLIK and P24
        complete ``unpaid`` (processing) unless ``paid`` says otherwise."""
        session = self.objects[session_id]
        assert session["mode"] == "payment" and session["status"] == "open", session
        assert method in session["payment_method_types"], method
        paid = (method == "card") if paid is None else paid
        data = session["_payment_intent_data"]
        intent = self._new_payment_intent(
            amount=session["amount_total"],
            currency=session["currency"],
            customer=session["customer"],
            metadata=data.get("metadata", {}),
            description=data.get("description"),
            methods=[method],
        )
        session.update(
            status="complete",
            payment_intent=intent["id"],
            payment_status="paid" if paid else "unpaid",
        )
        if paid:
            self._succeed(intent, method)
        else:
            intent["status"] = "processing"
        self.emit("checkout.session.completed", session)
        return self._public(session)

    def settle_async(self, session_id: str, *, succeeded: bool = True) -> Json:
        """The bank confirms (or fails) a BLIK or P24 payment after Checkout completed."""
        session = self.objects[session_id]
        intent = self.objects[session["payment_intent"]]
        if succeeded:
            self._succeed(intent, intent["payment_method_types"][0])
            session["payment_status"] = "paid"
            self.emit("checkout.session.async_payment_succeeded", session)
        else:
            intent.update(
                status="requires_payment_method",
                last_payment_error={"code": "payment_method_provider_decline"},
            )
            self.emit("checkout.session.async_payment_failed", session)
        return self._public(session)

    def complete_setup_session(self, session_id: str, payment_method: str = "pm_card_visa") -> Json:
        session = self.objects[session_id]
        assert session["mode"] == "setup" and session["status"] == "open", session
        pm_type = "sepa_debit" if payment_method == "pm_sepa_debit" else "card"
        self.objects[payment_method] = {
            "id": payment_method,
            "object": "payment_method",
            "type": pm_type,
            "created": int(time.time()),
            "customer": session["customer"],
            "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}
            if pm_type == "card"
            else None,
        }
        setup = {
            "id": self._new_id("seti"),
            "object": "setup_intent",
            "status": "succeeded",
            "created": int(time.time()),
            "customer": session["customer"],
            "payment_method": payment_method,
            "mandate": self._new_id("mandate") if pm_type == "sepa_debit" else None,
            "metadata": session["_setup_intent_data"].get("metadata", {}),
            "usage": "off_session",
            "livemode": self.livemode,
        }
        self.objects[setup["id"]] = setup
        session.update(
            status="complete", setup_intent=setup["id"], payment_status="no_payment_required"
        )
        self.emit("checkout.session.completed", session)
        self.emit("setup_intent.succeeded", setup)
        return self._public(session)

    # -- PaymentIntents, charges, refunds ---------------------------------------

    def _new_payment_intent(
        self,
        *,
        amount: int,
        currency: str,
        customer: str | None,
        metadata: Json,
        description: str | None,
        methods: list[str],
    ) -> Json:
        intent = {
            "id": self._new_id("pi"),
            "object": "payment_intent",
            "created": int(time.time()),
            "amount": amount,
            "amount_received": 0,
            "currency": currency,
            "customer": customer,
            "metadata": metadata,
            "description": description,
            "payment_method_types": methods,
            "payment_method": None,
            "status": "requires_payment_method",
            "latest_charge": None,
            "last_payment_error": None,
            "livemode": self.livemode,
        }
        self.objects[intent["id"]] = intent
        return intent

    def _succeed(self, intent: Json, method: str) -> None:
        fee = round(intent["amount"] * float(self.fee_percent) / 100)
        txn = {
            "id": self._new_id("txn"),
            "object": "balance_transaction",
            "created": int(time.time()),
            "amount": intent["amount"],
            "fee": fee,
            "net": intent["amount"] - fee,
            "currency": intent["currency"],
            "status": "pending",
        }
        charge = {
            "id": self._new_id("ch" if method == "card" else "py"),
            "object": "charge",
            "created": int(time.time()),
            "amount": intent["amount"],
            "amount_refunded": 0,
            "currency": intent["currency"],
            "status": "succeeded",
            "paid": True,
            "payment_intent": intent["id"],
            "balance_transaction": txn["id"],
            "refunded": False,
            "disputed": False,
            "livemode": self.livemode,
            "payment_method_details": {
                "type": method,
                **({"card": {"brand": "visa", "last4": "4242"}} if method == "card" else {}),
            },
        }
        self.objects[txn["id"]] = txn
        self.objects[charge["id"]] = charge
        intent.update(
            status="succeeded", amount_received=intent["amount"], latest_charge=charge["id"]
        )
        self.emit("payment_intent.succeeded", intent)

    def _create_payment_intent(self, req: RecordedRequest) -> Reply:
        p = req.params
        method = p.get("payment_method")
        behaviour, decline = TEST_PAYMENT_METHODS.get(method or "", ("succeeded", None))
        intent = self._new_payment_intent(
            amount=int(p["amount"]),
            currency=p["currency"],
            customer=p.get("customer"),
            metadata=p.get("metadata", {}),
            description=p.get("description"),
            methods=p.get("payment_method_types", ["card"]),
        )
        intent["payment_method"] = method
        if p.get("confirm") != "true":
            return Reply.ok(intent)
        if behaviour == "succeeded":
            self._succeed(intent, intent["payment_method_types"][0])
        elif behaviour == "processing":
            intent["status"] = "processing"
        else:
            code = (
                "authentication_required"
                if behaviour == "authentication_required"
                else "card_declined"
            )
            intent.update(
                status="requires_payment_method" if code == "card_declined" else "requires_action",
                last_payment_error={"code": code, "decline_code": decline or code},
            )
            self.emit("payment_intent.payment_failed", intent)
            error = {
                "type": "card_error",
                "code": code,
                "decline_code": decline or code,
                "message": "Your card was declined.",
                "payment_intent": intent,
            }
            return Reply(402, {"error": error})
        return Reply.ok(intent)

    def _list_payment_intents(self, req: RecordedRequest) -> Reply:
        customer = req.params.get("customer")
        intents = [
            o
            for o in self.objects.values()
            if o["object"] == "payment_intent" and (customer is None or o["customer"] == customer)
        ]
        return self._list(req, intents, "/v1/payment_intents")

    def _create_refund(self, req: RecordedRequest) -> Reply:
        p = req.params
        intent = self.objects.get(p.get("payment_intent", ""))
        if intent is None:
            return self._missing(p.get("payment_intent", ""))
        charge = self.objects.get(intent.get("latest_charge") or "")
        if charge is None or intent["status"] != "succeeded":
            return self._invalid(
                "This PaymentIntent has no successful charge to refund.", "payment_intent"
            )
        amount = int(p.get("amount", charge["amount"] - charge["amount_refunded"]))
        if amount > charge["amount"] - charge["amount_refunded"]:
            return self._invalid(
                "Refund amount is greater than unrefunded amount on charge.", "amount"
            )
        refund = {
            "id": self._new_id("re"),
            "object": "refund",
            "created": int(time.time()),
            "amount": amount,
            "currency": charge["currency"],
            "charge": charge["id"],
            "payment_intent": intent["id"],
            "status": self.refund_status,
            "metadata": p.get("metadata", {}),
            "reason": p.get("reason"),
            "failure_reason": None,
        }
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self.objects[refund["id"]] = refund
        self.emit("refund.created", refund)
        return Reply.ok(refund)

    def open_dispute(self, charge_id: str, *, status: str = "needs_response") -> Json:
        """The card holder disputes a charge: Stripe's ``charge.dispute.created``."""
        charge = self.objects[charge_id]
        dispute = {
            "id": self._new_id("dp"),
            "object": "dispute",
            "created": int(time.time()),
            "amount": charge["amount"] - charge["amount_refunded"],
            "currency": charge["currency"],
            "charge": charge_id,
            "payment_intent": charge["payment_intent"],
            "reason": "fraudulent",
            "status": status,
            "livemode": self.livemode,
        }
        charge["disputed"] = True
        self.objects[dispute["id"]] = dispute
        return self.emit("charge.dispute.created", dispute)

    def close_dispute(self, dispute_id: str, *, won: bool) -> Json:
        dispute = self.objects[dispute_id]
        dispute["status"] = "won" if won else "lost"
        return self.emit("charge.dispute.closed", dispute)

    def settle_refund(self, refund_id: str, *, status: str = "succeeded") -> Json:
        """A pending refund settles later: ``refund.updated`` and, when it went through,
        ``charge.refunded``."""
        refund = self.objects[refund_id]
        refund["status"] = status
        if status != "succeeded":
            refund["failure_reason"] = "lost_or_stolen_card"
        event = self.emit("refund.updated", refund)
        if status == "succeeded":
            self.emit("charge.refunded", self.objects[refund["charge"]])
        return event

    def _get_setup_intent(self, req: RecordedRequest, setup_id: str) -> Reply:
        return self._get_object(req, setup_id)

    # -- events ------------------------------------------------------------------

    def emit(self, type_: str, obj: Json) -> Json:
        """Record an event as Stripe would (listed by GET /v1/events)."""
        event = build_event(
            type_, self._public(obj), livemode=self.livemode, event_id=self._new_id("evt")
        )
        self.events.append(event)
        return event

    def _list_events(self, req: RecordedRequest) -> Reply:
        types = req.params.get("types")
        events = [e for e in self.events if not types or e["type"] in types]
        return self._list(req, events, "/v1/events")


def build_event(
    type_: str,
    obj: Json,
    *,
    livemode: bool = False,
    event_id: str = "evt_test_00000001Atr",
    api_version: str | None = None,
    created: int | None = None,
) -> Json:
    """An event as Stripe sends it to a webhook endpoint."""
    return {
        "id": event_id,
        "object": "event",
        "type": type_,
        "api_version": api_version or stripe.api_version,
        "created": int(time.time()) if created is None else created,
        "livemode": livemode,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": obj},
    }


def event_payload(event: Json) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode("utf-8")


def sign_webhook(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe would send for this body."""
    return stripe.WebhookSignature.generate_signature_header(
        payload.decode("utf-8"), secret, timestamp=timestamp
    )


@contextlib.contextmanager
def online_stripe(settings: Any, *webhook_secrets: str) -> Iterator[FakeStripe]:
    """Stripe configured for online payments (a test key, these webhook secrets, test
    mode) with billing's gateway talking to a FakeStripe for the duration."""
    from billing.services import online

    settings.STRIPE_SECRET_KEY = "sk_test_atrium_fake"
    settings.STRIPE_WEBHOOK_SECRETS = list(webhook_secrets)
    settings.STRIPE_EXPECT_LIVEMODE = False
    fake = FakeStripe()
    online.use_http_client(fake)
    try:
        yield fake
    finally:
        online.use_http_client(None)
