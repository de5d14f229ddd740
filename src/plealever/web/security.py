"""Security by default for a local app that holds privileged files: a per-launch token traded for a
server-side session, a Host-header check against DNS rebinding, CSRF protection on cookie-authenticated
writes, and strict headers. Threat model: docs/decisions/0012-hardening.md.

Browsers send a host's cookies to every port of that host, so a cookie set by a server on 127.0.0.1
reaches any other program listening on 127.0.0.1 that the browser visits. `plealever serve` therefore
listens on a random address in 127.0.0.0/8 (all of it is loopback on Linux), whose host-only cookie
(no Domain attribute) no other address receives; and the cookie holds a random session id, never the
token, that expires after an idle period and dies with the server."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

COOKIE = "plealever_session"  # suffixed with the port: two launches on one address never collide
IDLE_SECONDS = 2 * 60 * 60  # a session unused this long is gone; the printed address opens a new one
MAX_SESSIONS = 64  # sessions one launch keeps; the oldest goes first
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'; connect-src 'self'"
)
SAFE = {"GET", "HEAD", "OPTIONS"}
# Names that reach the loopback interface whatever address in it the server took.
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def random_loopback() -> str:
    """An address in 127.0.0.0/8 outside 127.0.x.x (where other local services usually listen)."""
    return f"127.{1 + secrets.randbelow(254)}.{secrets.randbelow(256)}.{1 + secrets.randbelow(254)}"


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


@dataclass
class Settings:
    host: str
    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    extra_hosts: tuple[str, ...] = ()
    idle_seconds: float = IDLE_SECONDS
    clock: Callable[[], float] = time.monotonic  # tests pass their own to step past the idle limit
    _sessions: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def allowed_hosts(self) -> set[str]:
        names = {self.host, *self.extra_hosts}
        if self.host in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "::"):
            # Listening there, the server is reachable under the usual loopback names too. On a random
            # 127.x.y.z address it is not, and a Host naming another address is refused.
            names.update(_LOOPBACK_NAMES)
        if ":" in self.host:
            names.add(f"[{self.host}]")
        return {f"{n}:{self.port}" for n in names} | names

    @property
    def cookie(self) -> str:
        return f"{COOKIE}_{self.port}"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/?token={self.token}"

    def new_session(self) -> str:
        session = secrets.token_urlsafe(32)
        with self._lock:
            while len(self._sessions) >= MAX_SESSIONS:
                self._sessions.pop(min(self._sessions, key=self._sessions.__getitem__))
            self._sessions[session] = self.clock()
        return session

    def session_valid(self, session: str | None) -> bool:
        """True for a live session id, whose idle clock starts again; an expired one is forgotten."""
        if not session:
            return False
        now = self.clock()
        with self._lock:
            last = self._sessions.get(session)
            if last is None:
                return False
            if now - last > self.idle_seconds:
                del self._sessions[session]
                return False
            self._sessions[session] = now
            return True


def _same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


class Guard(BaseHTTPMiddleware):
    def __init__(self, app, settings: Settings):
        super().__init__(app)
        self.settings = settings

    async def dispatch(self, request: Request, call_next) -> Response:
        s = self.settings
        if request.headers.get("host", "").lower() not in s.allowed_hosts:
            return self._harden(PlainTextResponse("This address is not allowed (Host header check).", 400))
        path = request.url.path
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip() or None
        query = request.query_params.get("token")
        if _same(query, s.token) and request.method in SAFE:
            # Trade the token in the URL for a session cookie, and drop it from the address bar.
            clean = request.url.remove_query_params("token")
            # Always a same-site path: "//evil.example" must not become a protocol-relative redirect.
            target = "/" + clean.path.lstrip("/\\")
            response = RedirectResponse(target + (f"?{clean.query}" if clean.query else ""), 303)
            # Host-only (no Domain), HttpOnly, SameSite=Strict; a session cookie the browser drops on exit.
            response.set_cookie(s.cookie, s.new_session(), httponly=True, samesite="strict", path="/")
            return self._harden(response)
        if path.startswith("/static/"):
            return self._harden(await call_next(request))
        if not (_same(bearer, s.token) or s.session_valid(request.cookies.get(s.cookie))):
            return self._harden(
                PlainTextResponse(
                    "Open the address that `plealever serve` printed: it carries this launch's token "
                    "(a session ends after two idle hours).",
                    401,
                )
            )
        # Every write from the pages goes through HTMX, which sends the per-launch CSRF token as a
        # header; a cross-site form cannot set headers, so it is refused here.
        if (
            request.method not in SAFE
            and not _same(bearer, s.token)
            and not _same(request.headers.get("x-csrf-token"), s.csrf)
        ):
            return self._harden(PlainTextResponse("Missing or wrong CSRF token.", 403))
        try:
            return self._harden(await call_next(request))
        except Exception:  # noqa: BLE001 - a bug still gets the security headers, and is logged
            logging.getLogger("plealever.web").exception("unhandled error on %s", request.url.path)
            return self._harden(PlainTextResponse("Internal error; nothing was saved.", 500))

    @staticmethod
    def _harden(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-store")
        return response
