"""The webhook server: checks the secret before reading a byte of the body, caps the body.

python-telegram-bot's own webhook server reads the whole body (up to 100 MB) before it looks
at the secret. This one (tornado, which python-telegram-bot[webhooks] brings) streams the body
and decides from the headers alone: a wrong or missing secret is refused with 403 and the
connection closed; a body over MAX_BODY bytes with 413. A good update is journalled (by the
`Intake`) before the 200 that tells Telegram it arrived.
"""

from __future__ import annotations

import hmac
import json
import logging
import socket
from typing import Any

import tornado.httpserver
import tornado.web

from bot.intake import Intake

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20  # bytes; an update is a few kilobytes
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """POST /path with Telegram's secret header and an update as JSON."""

    def initialize(self, intake: Intake, secret: str, max_body: int) -> None:
        self.intake = intake
        self.secret = secret
        self.max_body = max_body
        self.chunks: list[bytes] = []
        self.size = 0

    async def prepare(self) -> None:
        """Everything that can be decided from the headers, before the body is read."""
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            await self._refuse(403)
        elif self.request.method != "POST":
            await self._refuse(405)
        elif int(self.request.headers.get("Content-Length", "0") or 0) > self.max_body:
            await self._refuse(413)
        else:
            self.request.connection.set_max_body_size(self.max_body)  # chunked bodies too

    async def _refuse(self, status: int) -> None:
        self.set_status(status)
        await self.finish()  # tornado closes the connection: the body is never read

    def data_received(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size <= self.max_body:
            self.chunks.append(chunk)

    async def post(self) -> None:
        try:
            raw: Any = json.loads(b"".join(self.chunks))
        except ValueError:
            self.set_status(400)
            return
        await self.intake.accept([raw])  # a malformed update is logged and skipped: still 200


def _log_request(handler: tornado.web.RequestHandler) -> None:
    status = handler.get_status()
    level = logging.DEBUG if status < 500 else logging.WARNING  # refusals must not flood the log
    log.log(level, "Webhook %s %s: %d", handler.request.method, handler.request.path, status)


class WebhookServer:
    """Serves `path` on `listen:port`; `bind` fails fast (OSError) if the port is taken."""

    def __init__(self, intake: Intake, path: str, secret: str, max_body: int = MAX_BODY) -> None:
        options = {"intake": intake, "secret": secret, "max_body": max_body}
        app = tornado.web.Application(
            [("/" + path.strip("/"), UpdateHandler, options)], log_function=_log_request
        )
        self._server = tornado.httpserver.HTTPServer(
            app,
            max_body_size=max_body,
            max_buffer_size=max_body,
            body_timeout=30,
            idle_connection_timeout=120,
        )
        self._sockets: list[socket.socket] = []
        self.port: int | None = None

    def bind(self, listen: str, port: int) -> None:
        """Bind `listen:port` (port 0: any free port, then see `self.port`); OSError if
        it is taken. Nothing is accepted before `start`."""
        family = socket.AF_INET6 if ":" in listen else socket.AF_INET
        sock = socket.create_server((listen, port), family=family)  # closed if it fails
        sock.setblocking(False)
        self._sockets = [sock]
        self.port = sock.getsockname()[1]

    def start(self) -> None:
        """Accept requests."""
        self._server.add_sockets(self._sockets)

    async def stop(self) -> None:
        """Stop accepting connections and close the open ones."""
        self._server.stop()
        for sock in self._sockets:  # bound but never started
            sock.close()
        await self._server.close_all_connections()
