"""The one HTTP server: the platforms' routes (Slack HTTP mode, Telegram webhook) and /healthz,
/metrics."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

log = logging.getLogger(__name__)

Health = Callable[[], Awaitable[dict[str, object]]]
MetricsPage = Callable[[], Awaitable[tuple[bytes, str]]]  # the body and its content type


def build_web_app(
    routes: Sequence[web.RouteDef], *, health: Health, metrics: MetricsPage | None = None
) -> web.Application:
    """An aiohttp app with ``routes``, ``GET /healthz`` (200 when healthy, else 503) and,
    given ``metrics``, ``GET /metrics`` in Prometheus' text format."""

    async def healthz(_request: web.Request) -> web.Response:
        report = await health()
        return web.json_response(report, status=200 if report.get("ok") else 503)

    app = web.Application()
    app.add_routes([web.get("/healthz", healthz), *routes])
    if metrics is not None:
        page = metrics

        async def scrape(_request: web.Request) -> web.Response:
            body, content_type = await page()
            return web.Response(body=body, headers={"Content-Type": content_type})

        app.add_routes([web.get("/metrics", scrape)])
    return app


class HttpServer:
    """Runs the web app on ``host:port`` until stopped."""

    def __init__(self, app: web.Application, *, host: str, port: int) -> None:
        self._app = app
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen; port 0 picks a free port, readable afterwards from ``port``."""
        runner = web.AppRunner(self._app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        log.info("HTTP server listening", extra={"host": self.host, "port": self.port})

    async def stop(self) -> None:
        """Stop listening and finish open requests."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
