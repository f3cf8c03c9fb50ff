"""Customers tapping answers in Telegram: how fast taps are durably recorded, and the pace.

Ceiling: taps per second recorded through the real adapter (stand-in limits off), as a ratio
to a bare python-telegram-bot Application that only answers the callback query, measured in
the same run on the same stand-in; polling and webhook; SQLite and PostgreSQL; lost and
duplicated answers counted from the database. Pacing: with Telegram's real limits on, a burst
of taps: every answer stored, every confirmation delivered, no 429.

The stand-in runs in its own process, as Telegram is not inside the bot's: its CPU does not
count against the bot (nor against the bare Application). Every customer gets the pulse and
taps an answer on it; the taps are pressed through the stand-in's control API in one request
(``POST /_sandbox/presses``), so the whole burst waits in the Bot API at once, as after a
broadcast.

The bare Application is measured as PTB ships it (httpx) at concurrency 16 and at the bot's;
``ratio_to_bare`` is to the faster of the two. It is also measured on the bot's own HTTP
client (``ratio_to_bare_on_aiohttp``), to show what is left once the client is the same.
Both processes freeze their start-up heap before the taps, as ``pulse run`` does.

Run: ``python benchmarks/telegram_ingest.py`` (``--quick`` for a short run). The last line
printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import multiprocessing
import os
import platform
import secrets
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_name, None)
os.environ.setdefault("PTB_TIMEDELTA", "1")

import aiohttp  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from aiohttp import web  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler  # noqa: E402

from pulse_mirror.config.settings import parse_config  # noqa: E402
from pulse_mirror.runtime.app import settle_heap  # noqa: E402
from pulse_mirror.sandbox.telegram import TelegramSandbox  # noqa: E402
from pulse_mirror.storage.deliveries.claims import DispatchStore  # noqa: E402
from pulse_mirror.storage.deliveries.outbox import new_token  # noqa: E402
from pulse_mirror.storage.engine import create_engine  # noqa: E402
from pulse_mirror.storage.migrate import upgrade  # noqa: E402
from pulse_mirror.storage.repository import SqlRepository  # noqa: E402
from pulse_mirror.storage.tables import answer  # noqa: E402
from pulse_mirror.surveys.bank import load_bank  # noqa: E402
from pulse_mirror.surveys.callbacks import Choice, encode  # noqa: E402
from pulse_mirror.surveys.conversation import PulseState  # noqa: E402
from pulse_mirror.surveys.model import IsoWeek, Platform, Side  # noqa: E402
from pulse_mirror.surveys.ports import SystemClock  # noqa: E402
from pulse_mirror.surveys.records import DeliveryKind, NewDelivery  # noqa: E402
from pulse_mirror.surveys.service import PulseAnswers  # noqa: E402
from pulse_mirror.telegram.keyboards import render_pulse  # noqa: E402
from pulse_mirror.telegram.request import AiohttpRequest  # noqa: E402
from pulse_mirror.telegram.runtime import (  # noqa: E402
    DEFAULT_CONCURRENT_UPDATES,
    SECRET_HEADER,
    TelegramRuntime,
    build_telegram,
)

ITEMS = ("recommend.customer", "satisfaction.customer", "effort.customer")
POSTGRES = os.environ.get(
    "PULSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECRET = "bench-Secret_1"
BARE_CONCURRENCY = 16
TOKEN = "123456:bench-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def database(kind: str) -> AsyncIterator[str]:
    """A fresh, migrated database URL (SQLite file or a new PostgreSQL database)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
            await upgrade(url)
            yield url
        return
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(POSTGRES)
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(False)
    name = f"pulse_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        await upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _serve_sandbox(port: int) -> None:
    """The stand-in on ``port``, in this (child) process, until it is terminated."""

    async def serve() -> None:
        sandbox = TelegramSandbox(token=TOKEN)
        await sandbox.start(port=port)
        await asyncio.Event().wait()

    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve())


class RemoteSandbox:
    """The Telegram stand-in in its own process, steered through its HTTP control API."""

    token = TOKEN

    def __init__(self) -> None:
        self.port = _free_port()
        context = multiprocessing.get_context("spawn")
        self._process = context.Process(target=_serve_sandbox, args=(self.port,), daemon=True)
        self._http: aiohttp.ClientSession | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        self._process.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError("the Telegram stand-in did not start")
        self._http = aiohttp.ClientSession(f"http://127.0.0.1:{self.port}")

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._process.terminate()
        await asyncio.to_thread(self._process.join)

    async def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        assert self._http is not None
        if body is None:
            request = self._http.get(f"/_sandbox{path}")
        else:
            request = self._http.post(f"/_sandbox{path}", json=body)
        async with request as response:
            answer = await response.json()
            if response.status != 200:
                raise RuntimeError(f"stand-in control {path}: {answer}")
            return answer

    async def set_limits(self, *, per_chat: float, overall: float) -> None:
        await self.control(
            "/limits", {"per_chat_per_second": per_chat, "overall_per_second": overall}
        )

    async def add_users(self, user_ids: list[int]) -> None:
        gate = asyncio.Semaphore(16)

        async def add(user_id: int) -> None:
            async with gate:
                body = {"id": user_id, "first_name": f"C{user_id}", "started": True}
                await self.control("/users", body)

        await asyncio.gather(*(add(u) for u in user_ids))

    async def press(self, taps: list[tuple[int, int, str]]) -> None:
        presses = [{"user_id": u, "message_id": m, "data": d} for u, m, d in taps]
        await self.control("/presses", {"presses": presses})

    async def last_text(self, chat_id: int) -> str:
        received = await self.control(f"/chats/{chat_id}/received")
        return str(received["messages"][-1]["text"])

    async def callback_answers(self) -> int:
        return len((await self.control("/callback_answers"))["answers"])


async def _until(check: Callable[[], Awaitable[bool]], *, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.02)
    return False


class Served:
    """A webhook route on a real aiohttp server (polling mode needs none)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/telegram/hook"
        self._runner: web.AppRunner | None = None

    async def start(self, routes: list[web.RouteDef]) -> None:
        app = web.Application()
        app.add_routes(routes)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


async def _prepare(
    sandbox: RemoteSandbox,
    runtime: TelegramRuntime,
    repo: SqlRepository,
    answers: PulseAnswers,
    customers: int,
) -> list[tuple[int, int, str]]:
    """Opted-in customers, each sent this week's three-question pulse; (user, message, token)."""
    clock = SystemClock()
    now = clock.now()
    week = IsoWeek.of(now)
    pulse = await repo.get_or_create_pulse(
        week=week,
        side=Side.CUSTOMER,
        items=ITEMS,
        opens_at=now,
        closes_at=now.replace(year=now.year + 1),
    )
    people = []
    await sandbox.add_users([10_000 + n for n in range(customers)])
    for n in range(customers):
        user_id = 10_000 + n
        people.append(
            await repo.upsert_person(
                side=Side.CUSTOMER, platform=Platform.TELEGRAM, platform_user_id=str(user_id),
                language="en", time_zone="UTC", group="general", now=now, consent_at=now,
            )
        )  # fmt: skip
    await repo.enqueue([NewDelivery(pulse.id, p.id, DeliveryKind.QUESTION, now) for p in people])
    claimed = await DispatchStore(repo.engine).claim_for_platform(
        platform=Platform.TELEGRAM, now=now, limit=customers + 10, worker="bench"
    )
    by_person = {d.person_id: d for d in claimed}
    sent = []
    for person in people:
        delivery = by_person[person.id]
        state = await answers.state(delivery.token)
        assert state is not None
        ref = await runtime.messenger.send_pulse(
            address=person.platform_user_id, state=state, kind=DeliveryKind.QUESTION
        )
        await repo.mark_sent(delivery.id, message_id=ref, now=now)
        sent.append((int(person.platform_user_id), int(ref.split(":")[1]), delivery.token))
    return sent


def _config(sandbox: RemoteSandbox, mode: str, url: str | None, rate: float) -> Any:
    telegram: dict[str, Any] = {"enabled": True, "api_url": sandbox.api_url, "mode": mode}
    if url:
        telegram["webhook_url"] = url
    telegram["rate"] = {"per_second": rate, "per_chat_per_second": 1.0 if rate <= 30 else rate}
    return parse_config(
        {"telegram": telegram},
        env={"TELEGRAM_BOT_TOKEN": sandbox.token, "TELEGRAM_WEBHOOK_SECRET": SECRET},
    )


async def _run_adapter(
    *, mode: str, db: str, customers: int, limits: bool, timeout: float, concurrency: int
) -> dict[str, Any]:
    """Taps through the real adapter; taps/s until every answer is stored, with checks."""
    sandbox = RemoteSandbox()
    await sandbox.start()
    await sandbox.set_limits(per_chat=0, overall=0)
    served = Served()
    async with database(db) as url:
        engine = create_engine(url)
        repo = SqlRepository(engine)
        clock = SystemClock()
        answers = PulseAnswers(repository=repo, bank=load_bank(), clock=clock)
        config = _config(sandbox, mode, served.url if mode == "webhook" else None,
                         30.0 if limits else 1e6)  # fmt: skip
        runtime = build_telegram(
            config, answers=answers, repository=repo, clock=clock,
            concurrent_updates=concurrency, poll_timeout=1,
        )  # fmt: skip
        await runtime.start()
        if mode == "webhook":
            await served.start(list(runtime.routes()))
        try:
            sent = await _prepare(sandbox, runtime, repo, answers, customers)
            await runtime.outbound.idle()
            if limits:
                await sandbox.set_limits(per_chat=1, overall=30)
            taps = [(u, m, encode(Choice(t, 0, n % 11))) for n, (u, m, t) in enumerate(sent)]
            expected = len(taps)
            batches = repo.writer.batches
            before = runtime.outbound.stats.delivered

            async def stored() -> int:
                async with engine.connect() as connection:
                    count = sa.select(sa.func.count()).select_from(answer)
                    return int((await connection.execute(count)).scalar_one())

            async def all_stored() -> bool:
                return await stored() >= expected

            settle_heap()  # as `pulse run` does once started
            start = time.perf_counter()
            await sandbox.press(taps)
            complete = await _until(all_stored, timeout=timeout)
            elapsed = time.perf_counter() - start
            rows = await stored()
            result: dict[str, Any] = {
                "taps": expected,
                "seconds": round(elapsed, 3),
                "taps_per_second": round(expected / elapsed, 1),
                "lost": max(0, expected - rows) if complete else expected - rows,
                "duplicated": max(0, rows - expected),
                "transactions": repo.writer.batches - batches,
            }
            if limits:
                await asyncio.wait_for(runtime.outbound.idle(), timeout=timeout)
                stats = runtime.outbound.stats
                result["confirmations_delivered"] = stats.delivered - before
                result["rate_limited_429"] = stats.rate_limited
                result["confirmation_seconds"] = round(time.perf_counter() - start, 2)
                shown = [await sandbox.last_text(u) for u, _, _ in sent]
                result["confirmations_visible"] = sum("✓" in t for t in shown)
            return result
        finally:
            gc.unfreeze()
            await runtime.stop()
            await served.stop()
            await engine.dispose()
            await sandbox.stop()


async def _run_bare(
    *, mode: str, customers: int, timeout: float, concurrency: int, client: str = "httpx"
) -> dict[str, Any]:
    """The same taps on a bare PTB Application that only answers the callback query.

    ``client`` "httpx" is PTB as it ships; "aiohttp" gives it the bot's own request class,
    to show how much of the difference is the HTTP client alone.

    Each customer gets the same message as from the bot (text and keyboard), so the updates
    the two applications read are alike, byte for byte but the token.
    """
    sandbox = RemoteSandbox()
    await sandbox.start()
    await sandbox.set_limits(per_chat=0, overall=0)
    builder = (
        ApplicationBuilder().token(sandbox.token).base_url(sandbox.api_url)
        .concurrent_updates(concurrency)
    )  # fmt: skip
    if client == "aiohttp":
        builder = builder.request(AiohttpRequest()).get_updates_request(
            AiohttpRequest(connection_pool_size=1)
        )
    if mode == "webhook":
        builder = builder.updater(None)
    app: Application = builder.build()  # type: ignore[type-arg]
    answered = 0

    async def answer_only(update: Update, context: object) -> None:
        nonlocal answered
        assert update.callback_query is not None
        await update.callback_query.answer("ok")
        answered += 1

    app.add_handler(CallbackQueryHandler(answer_only))
    served = Served()

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get(SECRET_HEADER) != SECRET:
            return web.Response(status=403)
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return web.Response(text="ok")

    await app.initialize()
    await app.start()
    if mode == "webhook":
        await served.start([web.post("/telegram/hook", receive)])
        await app.bot.set_webhook(served.url, secret_token=SECRET)
    else:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        users = [10_000 + n for n in range(customers)]
        await sandbox.add_users(users)
        bank = load_bank()
        items = tuple(bank.item(key) for key in ITEMS)
        closes_at = SystemClock().now().replace(year=2100)
        taps = []
        for n, user_id in enumerate(users):
            state = PulseState(new_token(), Side.CUSTOMER, "en", items, closes_at)
            shown = render_pulse(state)
            message = await app.bot.send_message(user_id, shown.text, reply_markup=shown.markup)
            taps.append((user_id, message.message_id, encode(Choice(state.token, 0, n % 11))))

        async def all_answered() -> bool:
            return answered >= len(taps)

        settle_heap()  # the same for the bare Application: it is a property of the process
        start = time.perf_counter()
        await sandbox.press(taps)
        await _until(all_answered, timeout=timeout)
        elapsed = time.perf_counter() - start
        confirmed = await sandbox.callback_answers()
        if confirmed != len(taps):
            raise RuntimeError(f"the stand-in saw {confirmed} callback answers, not {len(taps)}")
        return {"taps": len(taps), "taps_per_second": round(len(taps) / elapsed, 1)}
    finally:
        gc.unfreeze()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await served.stop()
        await sandbox.stop()


def _machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpu": model,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    """Run every measurement asked for and return the figures."""
    figures: dict[str, Any] = {"concurrent_updates": args.concurrency}
    customers = max(1, args.taps)
    for mode in args.transports:
        # The bare Application as PTB ships it (httpx) at PTB's usual 16 and at the bot's
        # concurrency (httpx's pool makes it slower with many requests in flight): the ratio
        # is to the faster. Also, for information, the bare Application on the bot's HTTP
        # client (aiohttp), and the ratio to that.
        bare_runs: dict[str, float] = {}
        for client in ("httpx", "aiohttp"):
            for concurrency in sorted({BARE_CONCURRENCY, args.concurrency}):
                bare = await _run_bare(mode=mode, customers=customers, timeout=args.timeout,
                                       concurrency=concurrency, client=client)  # fmt: skip
                bare_runs[f"{client}_{concurrency}"] = bare["taps_per_second"]
        shipped = max(v for k, v in bare_runs.items() if k.startswith("httpx"))
        same_client = max(v for k, v in bare_runs.items() if k.startswith("aiohttp"))
        figures[f"bare_{mode}_taps_per_second"] = shipped
        figures[f"bare_{mode}_runs"] = bare_runs
        for db in args.databases:
            try:
                ours = await _run_adapter(mode=mode, db=db, customers=customers, limits=False,
                                          timeout=args.timeout,
                                          concurrency=args.concurrency)  # fmt: skip
            except OSError as error:
                figures[f"{mode}_{db}"] = {"skipped": str(error)}
                continue
            ours["ratio_to_bare"] = round(ours["taps_per_second"] / shipped, 3)
            ours["ratio_to_bare_on_aiohttp"] = round(ours["taps_per_second"] / same_client, 3)
            figures[f"{mode}_{db}"] = ours
            print(f"{mode}/{db}: {ours}", file=sys.stderr)
    if args.burst:
        figures["pacing_burst"] = await _run_adapter(
            mode="polling", db=args.databases[0], customers=args.burst, limits=True,
            timeout=max(args.timeout, args.burst / 20 + 30), concurrency=args.concurrency,
        )  # fmt: skip
    return figures


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=3000, help="taps in the ceiling runs")
    parser.add_argument(
        "--burst", type=int, default=1000, help="taps in the pacing burst (0: skip)"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENT_UPDATES,
        help="PTB concurrent_updates, the same for the bot and the bare Application",
    )
    parser.add_argument("--transports", default="polling,webhook")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--quick", action="store_true", help="300 taps, a burst of 60")
    args = parser.parse_args()
    if args.quick:
        args.taps, args.burst = 300, 60
    args.transports = [t for t in args.transports.split(",") if t]
    args.databases = [d for d in args.databases.split(",") if d]
    return args


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    arguments = _arguments()
    result = asyncio.run(main(arguments))
    print(json.dumps({"benchmark": "telegram_ingest", "figures": result, "machine": _machine()}))
