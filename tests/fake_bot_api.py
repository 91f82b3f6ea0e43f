"""A fake Telegram Bot API, for tests, benchmarks and reliability runs. Standard library only.

`FakeBotApi` keeps the state: the bot user, updates waiting for getUpdates, every call the bot
made, the messages it sent, and faults to inject. `FakeBotApiServer` serves it over HTTP on
127.0.0.1 (point TELEGRAM_API_BASE_URL at `server.base_url`); `tests/telegram_fakes.py` serves it
in memory through python-telegram-bot's request layer.

The user side: the `*_update` builders make update payloads (a private message, a group
message, an edit, a button press, an inline query…); `api.enqueue(update)` hands one to the
bot's next getUpdates.

    with FakeBotApiServer() as server:
        ...start the bot with TELEGRAM_API_BASE_URL=server.base_url...
        mark = server.api.mark()
        server.api.enqueue(message_update("/start"))
        call = server.api.wait_for("sendMessage", since=mark)
        server.api.fail("sendMessage", 429, retry_after=1)   # the next sendMessage fails
        server.api.fail("getUpdates", DROP)                  # the connection drops, no answer
        server.api.chaos(0.1, seed=7)                        # 10% of calls fail at random
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "123456789:AAtest-token_for_the_fake_bot_api_00000"
BOT_USER = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "QA Bot",
    "username": "qabot_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
USER = {"id": 1001, "is_bot": False, "first_name": "Ada", "username": "ada", "language_code": "en"}
OTHER_USER = {"id": 1002, "is_bot": False, "first_name": "Bob", "username": "bob"}
PRIVATE_CHAT = {"id": USER["id"], "type": "private", "first_name": "Ada", "username": "ada"}
GROUP_CHAT = {"id": -1001234567890, "type": "supergroup", "title": "Readers"}
CHANNEL_CHAT = {"id": -1009876543210, "type": "channel", "title": "News", "username": "news"}

# Parameters that arrive JSON-encoded in a form body; integers arrive as digit strings.
_JSON_PARAMETERS = {
    "reply_markup",
    "results",
    "commands",
    "scope",
    "allowed_updates",
    "link_preview_options",
    "reply_parameters",
    "entities",
    "button",
}
_INT_PARAMETERS = {
    "chat_id",
    "message_id",
    "offset",
    "limit",
    "timeout",
    "user_id",
    "cache_time",
    "reply_to_message_id",
    "max_connections",
}

_ids = itertools.count(1)

# Fault "statuses" that are not HTTP answers: the connection closes with no response (DROP),
# or only after a while (TIMEOUT; in memory, python-telegram-bot's TimedOut).
DROP = 0
TIMEOUT = -1
# What `chaos` injects by default: (status, retry_after) with their weights.
CHAOS_FAULTS: tuple[tuple[int, int | None, int], ...] = (
    (500, None, 3),
    (502, None, 3),
    (DROP, None, 3),
    (TIMEOUT, None, 2),
    (429, 1, 1),
)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entities_for(text: str) -> list[dict[str, Any]]:
    """The entities Telegram would send: a leading /command and @mentions (UTF-16 offsets)."""
    entities = []
    command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": command.end()})
    for mention in re.finditer(r"(?<![\w@])@[A-Za-z0-9_]{5,32}", text):
        entities.append(
            {
                "type": "mention",
                "offset": _utf16_length(text[: mention.start()]),
                "length": _utf16_length(mention.group()),
            }
        )
    return entities


def message_payload(
    text: str | None = None,
    chat: dict[str, Any] = PRIVATE_CHAT,
    sender: dict[str, Any] | None = USER,
    message_id: int | None = None,
    reply_to: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A Message object sent by `sender` (None in channels) to `chat`."""
    message: dict[str, Any] = {
        "message_id": message_id or next(_ids),
        "date": int(time.time()),
        "chat": dict(chat),
    }
    if sender is not None:
        message["from"] = dict(sender)
    if chat["type"] == "channel":
        message["sender_chat"] = dict(chat)
    if text is not None:
        message["text"] = text
        if entities := entities_for(text):
            message["entities"] = entities
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    message.update(extra)
    return message


def message_update(text: str | None = None, **kwargs: Any) -> dict[str, Any]:
    """An update with a new message (see `message_payload` for the arguments)."""
    chat = kwargs.get("chat", PRIVATE_CHAT)
    kind = "channel_post" if chat["type"] == "channel" else "message"
    return {"update_id": next(_ids), kind: message_payload(text, **kwargs)}


def edited_update(message: dict[str, Any], text: str) -> dict[str, Any]:
    """An update saying the user edited `message` (a payload from `message_payload`)."""
    edited = {**message, "text": text, "edit_date": int(time.time())}
    edited.pop("entities", None)
    if entities := entities_for(text):
        edited["entities"] = entities
    kind = "edited_channel_post" if message["chat"]["type"] == "channel" else "edited_message"
    return {"update_id": next(_ids), kind: edited}


def sticker_update(chat: dict[str, Any] = PRIVATE_CHAT, **kwargs: Any) -> dict[str, Any]:
    """A message with a sticker and no text."""
    sticker = {
        "file_id": "CAACAgIAAxkBAAEBfake",
        "file_unique_id": "AgADfake",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    return message_update(None, chat=chat, sticker=sticker, **kwargs)


def callback_update(
    data: str, message: dict[str, Any], sender: dict[str, Any] = USER
) -> dict[str, Any]:
    """The user pressed a button with `data` under the bot's `message`."""
    query = {
        "id": str(next(_ids)),
        "from": dict(sender),
        "chat_instance": "42",
        "data": data,
        "message": message,
    }
    return {"update_id": next(_ids), "callback_query": query}


def inline_update(query: str, sender: dict[str, Any] = USER) -> dict[str, Any]:
    """The user typed `@bot query` in some chat."""
    inline = {"id": str(next(_ids)), "from": dict(sender), "query": query, "offset": ""}
    return {"update_id": next(_ids), "inline_query": inline}


@dataclass
class Call:
    """One Bot API call the bot made."""

    method: str
    params: dict[str, Any]
    status: int = 200
    result: Any = None  # what the fake answered (e.g. the Message a sendMessage made)


@dataclass
class FakeBotApi:
    """The state of a fake Bot API. Thread-safe: the HTTP server calls it from its threads."""

    token: str = TOKEN
    bot_user: dict[str, Any] = field(default_factory=lambda: dict(BOT_USER))
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._faults: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._message_ids = itertools.count(10_000)
        self._update_ids = itertools.count(1)
        self.closed = False
        self.webhook: dict[str, Any] = {}
        self.injected: Counter[tuple[str, int]] = Counter()  # (method, status) → faults made
        self.timeout_hold = 0.3  # seconds a TIMEOUT fault holds the connection over HTTP
        self._chaos: tuple[float, frozenset[str], random.Random, tuple] | None = None

    # -- the user side ---------------------------------------------------------------------

    def learn(self, update: dict[str, Any]) -> None:
        """Remember the chats in `update`, so that replies to them carry the right chat type."""
        for value in update.values():
            if isinstance(value, dict):
                for message in (value, value.get("message")):
                    if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                        self._chats[message["chat"]["id"]] = message["chat"]

    def enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue `update` for the bot's next getUpdates; returns it with a fresh update_id."""
        with self._lock:
            update = {**update, "update_id": next(self._update_ids)}
            self.learn(update)
            self._updates.append(update)
            self._lock.notify_all()
        return update

    def fail(
        self,
        method: str,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail with HTTP `status` and a JSON error
        (or, with status DROP or TIMEOUT, with no answer at all)."""
        body = _fault_body(status, description, retry_after)
        with self._lock:
            self._faults.setdefault(method, []).extend([(status, body)] * times)

    def chaos(
        self,
        rate: float,
        methods: tuple[str, ...] = ("sendMessage", "getUpdates"),
        seed: int = 0,
        faults: tuple[tuple[int, int | None, int], ...] = CHAOS_FAULTS,
    ) -> None:
        """Make each call of `methods` fail with probability `rate`, with a fault drawn from
        `faults` ((status, retry_after, weight); status DROP or TIMEOUT for network faults).
        `rate` 0 turns it off. `injected` counts what was injected."""
        with self._lock:
            self._chaos = (rate, frozenset(methods), random.Random(seed), faults) if rate else None

    def _chaos_fault(self, method: str) -> tuple[int, dict[str, Any]] | None:
        if self._chaos is None:
            return None
        rate, methods, rng, faults = self._chaos
        if method not in methods or rng.random() >= rate:
            return None
        status, retry_after, _ = rng.choices(faults, weights=[w for *_, w in faults])[0]
        return status, _fault_body(status, None, retry_after)

    def mark(self) -> int:
        """A position in `calls`, for `wait_for(since=...)`."""
        with self._lock:
            return len(self.calls)

    def calls_to(self, method: str, since: int = 0) -> list[Call]:
        with self._lock:
            return [c for c in self.calls[since:] if c.method == method]

    def sent_texts(self, since: int = 0) -> list[str]:
        """The texts of successful sendMessage calls."""
        return [c.params["text"] for c in self.calls_to("sendMessage", since) if c.status == 200]

    def wait_for(self, method: str, since: int = 0, timeout: float = 10.0, ok: bool = True) -> Call:
        """Wait for the bot to call `method` (successfully, if `ok`) after position `since`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for call in self.calls[since:]:
                    if call.method == method and (not ok or call.status == 200):
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls[since:]]
                    raise TimeoutError(f"no {method} call within {timeout}s; calls: {seen}")
                self._lock.wait(left)

    def close(self) -> None:
        """Release long polls (the server is going away)."""
        with self._lock:
            self.closed = True
            self._lock.notify_all()

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A message the bot sent, as last edited."""
        with self._lock:
            return self._messages.get((chat_id, message_id))

    # -- the bot side ----------------------------------------------------------------------

    def handle(
        self, token: str, method: str, params: dict[str, Any], wait: bool = True
    ) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call: (HTTP status, JSON body). `wait` lets getUpdates long-poll."""
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        with self._lock:
            faults = self._faults.get(method)
            fault = faults.pop(0) if faults else self._chaos_fault(method)
            if fault is not None:
                status, body = fault
                self.injected[(method, status)] += 1
                self._record(Call(method, params, status))
                return status, body
        if method == "getUpdates":  # recorded when it arrives: `wait_for` sees a poll start
            call = Call(method, params)
            with self._lock:
                self._record(call)
            call.result = self._get_updates(params, wait)
            return 200, {"ok": True, "result": call.result}
        with self._lock:
            status, body = self._answer(method, params)
            self._record(Call(method, params, status, body.get("result")))
            return status, body

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._lock.notify_all()

    def _get_updates(self, params: dict[str, Any], wait: bool) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + (float(params.get("timeout") or 0) if wait else 0)
        with self._lock:
            while True:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or self.closed:
                    return self._updates[:limit]
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                self._lock.wait(min(left, 0.5))

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        result: Any = True
        if method == "getMe":
            result = self.bot_user
        elif method in ("sendMessage", "editMessageText") and (problem := _message_problem(params)):
            return _error(400, problem)
        elif method == "sendMessage":
            chat_id = int(params["chat_id"])
            chat = self._chats.get(chat_id) or {
                "id": chat_id,
                "type": "private" if chat_id > 0 else "supergroup",
            }
            result = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": chat,
                "from": self.bot_user,
                "text": params["text"],
            }
            if "reply_markup" in params:
                result["reply_markup"] = params["reply_markup"]
            self._messages[(chat_id, result["message_id"])] = result
        elif method == "editMessageText":
            if "inline_message_id" in params:
                return 200, {"ok": True, "result": True}
            key = (int(params["chat_id"]), int(params["message_id"]))
            message = self._messages.get(key)
            if message is None:
                return _error(400, "Bad Request: message to edit not found")
            markup = params.get("reply_markup")
            if message["text"] == params["text"] and message.get("reply_markup") == markup:
                return _error(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            message = {**message, "text": params["text"], "edit_date": int(time.time())}
            message.pop("reply_markup", None)
            if markup:
                message["reply_markup"] = markup
            self._messages[key] = message
            result = message
        elif method == "editMessageReplyMarkup":
            key = (int(params["chat_id"]), int(params["message_id"]))
            message = self._messages.get(key)
            if message is None:
                return _error(400, "Bad Request: message to edit not found")
            markup = params.get("reply_markup")
            if message.get("reply_markup") == markup:
                return _error(400, "Bad Request: message is not modified")
            message = {**message, "edit_date": int(time.time())}
            message.pop("reply_markup", None)
            if markup:
                message["reply_markup"] = markup
            self._messages[key] = message
            result = message
        elif method == "deleteMessage":
            key = (int(params["chat_id"]), int(params["message_id"]))
            if self._messages.pop(key, None) is None:
                return _error(400, "Bad Request: message to delete not found")
        elif method == "setWebhook":
            self.webhook = dict(params)
        elif method == "deleteWebhook":
            self.webhook = {}
        elif method == "getWebhookInfo":
            result = {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
        elif method not in {
            "answerCallbackQuery",
            "answerInlineQuery",
            "setMyCommands",
            "deleteMyCommands",
            "setMyDescription",
            "setMyShortDescription",
            "sendChatAction",
            "close",
            "logOut",
        }:
            return _error(404, "Not Found")
        return 200, {"ok": True, "result": result}


def _message_problem(params: dict[str, Any]) -> str | None:
    """What Telegram would refuse in a message: too long, or button data over 64 bytes."""
    if _utf16_length(params.get("text", "")) > 4096:
        return "Bad Request: message is too long"
    markup = params.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if len(button.get("callback_data", "").encode()) > 64:
                return "Bad Request: BUTTON_DATA_INVALID"
    return None


def _fault_body(status: int, description: str | None, retry_after: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": status,
        "description": description or _describe(status),
    }
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


def _describe(status: int) -> str:
    if status in (DROP, TIMEOUT):
        return "no answer"
    return {
        400: "Bad Request: chat not found",
        403: "Forbidden: bot was blocked by the user",
        429: "Too Many Requests: retry later",
    }.get(status, HTTPStatus(status).phrase)


def _error(status: int, description: str) -> tuple[int, dict[str, Any]]:
    return status, {"ok": False, "error_code": status, "description": description}


def decode_parameters(form: dict[str, str]) -> dict[str, Any]:
    """Parameters as python-telegram-bot sends them (JSON strings in a form) → Python values."""
    params: dict[str, Any] = {}
    for name, value in form.items():
        if name in _JSON_PARAMETERS:
            params[name] = json.loads(value)
        elif name in _INT_PARAMETERS and re.fullmatch(r"-?\d+", value):
            params[name] = int(value)
        else:
            params[name] = value
    return params


class FakeBotApiServer:
    """`FakeBotApi` over HTTP on 127.0.0.1, in a background thread. A context manager."""

    def __init__(self, api: FakeBotApi | None = None) -> None:
        self.api = api or FakeBotApi()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self.api))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The Bot API root, for TELEGRAM_API_BASE_URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeBotApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.api.close()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler_for(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out as two writes: without TCP_NODELAY every answer waits for
        # the client's delayed ACK (40 ms)
        disable_nagle_algorithm = True

        def handle(self) -> None:
            # the bot may drop a connection, e.g. give up a long poll when it shuts down
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                super().handle()

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            self._serve()

        def do_GET(self) -> None:  # noqa: N802
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            match = re.fullmatch(r"/bot([^/]+)/(\w+)", self.path.split("?")[0])
            if match is None:
                self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            content_type = self.headers.get("Content-Type", "")
            if "json" in content_type:
                params = json.loads(body or b"{}")
            else:
                params = decode_parameters(dict(parse_qsl(body.decode(), keep_blank_values=True)))
            status, answer = api.handle(match.group(1), match.group(2), params)
            if status in (DROP, TIMEOUT):  # no response: the client sees the connection close
                if status == TIMEOUT:
                    time.sleep(api.timeout_hold)
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._reply(status, answer)

        def _reply(self, status: int, answer: dict[str, Any]) -> None:
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # keep test output quiet

    return Handler
