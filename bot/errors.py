"""Start-up failures as one line each: what went wrong and what to do about it."""

from __future__ import annotations

import errno
import socket


class StartupError(Exception):
    """`qabot run` cannot serve; `str()` is the one line to print, `code` the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def bind_error(exc: OSError, listen: str, port: int) -> StartupError:
    """The webhook server could not listen on `listen:port`."""
    if exc.errno == errno.EADDRINUSE:
        return StartupError(
            f"port {port} on {listen} is already in use (WEBHOOK_PORT): stop the program "
            f"using it (ss -ltnp 'sport = :{port}' shows it) or set WEBHOOK_PORT to a free port"
        )
    if exc.errno == errno.EACCES:
        return StartupError(
            f"not allowed to listen on port {port} (WEBHOOK_PORT): ports below 1024 need "
            "privileges; use 8443 behind a reverse proxy"
        )
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        return StartupError(
            f"cannot listen on {listen} (WEBHOOK_LISTEN): not an address of this machine; "
            "use 127.0.0.1 behind a reverse proxy, or 0.0.0.0 for every interface"
        )
    return StartupError(f"cannot listen on {listen}:{port} (WEBHOOK_LISTEN, WEBHOOK_PORT): {exc}")


def token_rejected(api_base_url: str, reason: str) -> StartupError:
    """Telegram answered 401/403/404: the token was revoked or TELEGRAM_API_BASE_URL is wrong."""
    return StartupError(
        f"the Bot API at {api_base_url} rejected TELEGRAM_BOT_TOKEN ({reason}); check the token "
        "with @BotFather and TELEGRAM_API_BASE_URL",
        code=2,
    )
