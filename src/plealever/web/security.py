"""Security by default for a local app that holds privileged files: a per-launch token, a Host-header
check against DNS rebinding, CSRF protection on cookie-authenticated writes, and strict headers."""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass, field

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

COOKIE = "plealever_token"  # suffixed with the port: browsers share cookies across ports of one host
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'; connect-src 'self'"
)
SAFE = {"GET", "HEAD", "OPTIONS"}


@dataclass
class Settings:
    host: str
    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    extra_hosts: tuple[str, ...] = ()

    @property
    def allowed_hosts(self) -> set[str]:
        names = {"127.0.0.1", "localhost", "[::1]", self.host, *self.extra_hosts}
        return {f"{n}:{self.port}" for n in names} | names

    @property
    def cookie(self) -> str:
        return f"{COOKIE}_{self.port}"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/?token={self.token}"


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
        cookie = request.cookies.get(s.cookie)
        query = request.query_params.get("token")
        if _same(query, s.token) and request.method in SAFE:
            # Trade the token in the URL for a cookie, and drop it from the address bar.
            clean = request.url.remove_query_params("token")
            # Always a same-site path: "//evil.example" must not become a protocol-relative redirect.
            target = "/" + clean.path.lstrip("/\\")
            response = RedirectResponse(target + (f"?{clean.query}" if clean.query else ""), 303)
            response.set_cookie(s.cookie, s.token, httponly=True, samesite="strict", path="/")
            return self._harden(response)
        if path.startswith("/static/"):
            return self._harden(await call_next(request))
        if not (_same(bearer, s.token) or _same(cookie, s.token)):
            return self._harden(
                PlainTextResponse(
                    "Open the address that `plealever serve` printed: it carries this launch's token.", 401
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
