"""The webhook (issue 10, section 4): the secret is checked before the body is read, the
body is capped, the server binds 127.0.0.1 unless told otherwise, and a port in use is one
line. Requests go over raw sockets to see exactly what the server reads and answers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import TOKEN, FakeBotApiServer, message_update
from serving import serving

from bot.errors import StartupError
from bot.settings import Settings
from bot.webhook import MAX_BODY, WebhookServer

ROOT = Path(__file__).resolve().parents[2]
SECRET = "right-Secret_42"
HUGE = 95_000_000  # bytes announced by the attacker; never sent in full


class RecordingIntake:
    """Stands in for `bot.intake.Intake`: records what the server accepted."""

    def __init__(self) -> None:
        self.accepted: list[Any] = []

    async def accept(self, raws: list[Any]) -> int:
        self.accepted.extend(raws)
        return len(raws)


def request(
    port: int, secret: str | None, body: bytes, length: int | None = None, chunked: bool = False
) -> bytes:
    """Send a POST with `body` (announcing `length` bytes); returns what the server sent
    back before it closed the connection, or b"" + b"<timeout>" if it kept waiting."""
    head = ["POST /telegram/hook HTTP/1.1", "Host: localhost", "Content-Type: application/json"]
    if secret is not None:
        head.append(f"X-Telegram-Bot-Api-Secret-Token: {secret}")
    if chunked:
        head.append("Transfer-Encoding: chunked")
    else:
        head.append(f"Content-Length: {len(body) if length is None else length}")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        # the server may close the connection before reading it all: what we want
        with contextlib.suppress(OSError):
            sock.sendall(body)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if length is None and not chunked and _complete(answer):
                    break
        except TimeoutError:
            return answer + b"<timeout>"
        except ConnectionResetError:
            return answer + b"<reset>"
    return answer


def _complete(answer: bytes) -> bool:
    """A whole response: the headers and as many bytes as their Content-Length says."""
    head, _, body = answer.partition(b"\r\n\r\n")
    if not _:
        return False
    lengths = [
        int(line.split(b":")[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    ]
    return len(body) >= (lengths[0] if lengths else 0)


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


@pytest.fixture
async def webhook():
    intake = RecordingIntake()
    server = WebhookServer(intake, "telegram/hook", SECRET)  # type: ignore[arg-type]
    server.bind("127.0.0.1", 0)
    server.start()
    try:
        yield server, intake
    finally:
        await server.stop()


async def test_a_huge_body_without_the_secret_is_refused_unread(webhook):
    """Eight at once, each announcing 95 MB and sending 64 KB of it: each is refused from
    its headers (403, connection closed) instead of the server waiting for 95 MB."""
    server, intake = webhook
    with ThreadPoolExecutor(8) as pool:
        calls = [
            asyncio.get_running_loop().run_in_executor(
                pool, request, server.port, secret, b"x" * 65536, HUGE
            )
            for secret in [None, "wrong", "", SECRET.upper()] * 2
        ]
        answers = await asyncio.gather(*calls)
    assert [status(a) for a in answers] == [403] * 8
    assert not any(a.endswith(b"<timeout>") for a in answers)  # closed, not waiting for more
    assert intake.accepted == []


async def test_a_body_over_the_cap_is_refused_even_with_the_secret(webhook):
    server, intake = webhook
    loop = asyncio.get_running_loop()
    announced = await loop.run_in_executor(None, request, server.port, SECRET, b"{}", HUGE)
    assert status(announced) == 413 and not announced.endswith(b"<timeout>")
    # chunked, so no Content-Length to check: cut off once past the cap
    chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
    body = chunk * (MAX_BODY // 65536 + 4) + b"0\r\n\r\n"
    streamed = await loop.run_in_executor(None, request, server.port, SECRET, body, None, True)
    assert status(streamed) in (0, 400, 413) and intake.accepted == []


async def test_a_good_update_is_accepted_and_bad_json_is_400(webhook):
    server, intake = webhook
    loop = asyncio.get_running_loop()
    update = {**message_update("/start"), "update_id": 5}
    good = await loop.run_in_executor(
        None, request, server.port, SECRET, json.dumps(update).encode()
    )
    assert status(good) == 200 and intake.accepted == [update]
    bad = await loop.run_in_executor(None, request, server.port, SECRET, b"{not json")
    assert status(bad) == 400 and len(intake.accepted) == 1


def test_the_webhook_binds_localhost_unless_told_otherwise():
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert settings.webhook_listen == "127.0.0.1"
    assert "WEBHOOK_LISTEN=0.0.0.0" in (ROOT / "Dockerfile").read_text()  # the image's choice


def serving_webhook(seed_db: Path, tmp_path: Path, api_server, port: int):
    """The production app in webhook mode on `port`, over the fake Bot API."""
    return serving(
        seed_db,
        tmp_path,
        api_server,
        webhook_url="https://bot.example.org/telegram/hook",
        webhook_secret=SECRET,
        webhook_port=port,
    )


async def test_a_port_in_use_is_one_line_naming_the_port(seed_db: Path, tmp_path: Path):
    with socket.socket() as taken, FakeBotApiServer() as api_server:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StartupError) as caught:
            async with serving_webhook(seed_db, tmp_path, api_server, port):
                pass
        assert api_server.api.calls == []  # found before anything was asked of Telegram
    message = str(caught.value)
    assert "\n" not in message and caught.value.code == 1
    assert message.startswith(f"port {port} on 127.0.0.1 is already in use (WEBHOOK_PORT)")
    assert "set WEBHOOK_PORT to a free port" in message


async def test_an_update_posted_to_the_webhook_is_journalled_and_answered(
    seed_db: Path, tmp_path: Path
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeBotApiServer() as api_server:
        async with serving_webhook(seed_db, tmp_path, api_server, port) as served:
            await served.wait_for("setWebhook")
            update = {**message_update("/start"), "update_id": 91}
            api_server.api.learn(update)
            mark = api_server.api.mark()
            loop = asyncio.get_running_loop()
            answer = await loop.run_in_executor(
                None, _post_when_listening, port, json.dumps(update).encode()
            )
            assert status(answer) == 200
            await served.wait_for("sendMessage", since=mark)
    hook = api_server.api.calls_to("setWebhook")[0].params
    assert hook["secret_token"] == SECRET and hook["url"].endswith("/telegram/hook")


def _post_when_listening(port: int, body: bytes) -> bytes:
    for _ in range(200):  # setWebhook comes just before the server accepts
        try:
            return request(port, SECRET, body)
        except ConnectionRefusedError:
            import time

            time.sleep(0.02)
    raise AssertionError("the webhook server never listened")
