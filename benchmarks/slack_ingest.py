"""Slack ingest: signed clicks into the real HTTP endpoint, from a separate process.

Open loop: ``--rate`` clicks a second for ``--seconds`` (default 600/s for 30 s), each a
different employee's first answer plus a share of double clicks; p50/p99 time to the ack and
answers stored / lost / duplicated. Ceiling: answers durably stored per second with
``--inflight`` clicks in flight, against a bare Bolt endpoint that only acks, same machine;
also a bare Bolt endpoint that acks and replaces the message through the click's response_url,
storing nothing: the most that any handler which shows each click's result can reach here.
Runs on SQLite and, when reachable, PostgreSQL. Prints one JSON line last.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import hmac
import json
import logging
import multiprocessing
import os
import platform
import secrets
import socket
import statistics
import tempfile
import time
import urllib.parse
from typing import Any

import aiohttp
from aiohttp import web

SECRET = "bench-secret"
PG = os.environ.get("PULSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


# --- the load generator (runs in its own process) ---------------------------------------------


def _signed(payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    ts = str(int(time.time()))
    base = b"v0:" + ts.encode() + b":" + body
    signature = "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }
    return body, headers


def _click(user: str, token: str, value: int, n: int, response_url: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user, "team_id": "T0BENCH"},
        "api_app_id": "A0BENCH",
        "team": {"id": "T0BENCH", "domain": "bench"},
        "container": {"type": "message", "channel_id": "D" + user[1:], "message_ts": "1.1"},
        "channel": {"id": "D" + user[1:], "name": "directmessage"},
        "trigger_id": f"t{n}",
        "response_url": response_url,
        "actions": [
            {
                "action_id": f"pulse_answer_{value}",
                "block_id": "scale_0_0",
                "type": "button",
                "value": f"a:{token}:0:{value}",
                "action_ts": f"{1700000000 + n}.{n:06d}",
            }
        ],
    }


Click = tuple[str, str, str]  # user, token, response_url


async def _open_loop(url: str, clicks: list[Click], rate: float) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(n: int, user: str, token: str, response_url: str) -> None:
            body, headers = _signed(_click(user, token, 1 + n % 7, n, response_url))
            started = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    status = response.status
            except aiohttp.ClientError:
                status = 0
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1

        start = time.perf_counter()
        tasks = []
        for n, (user, token, response_url) in enumerate(clicks):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n, user, token, response_url)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return {"latencies": latencies, "statuses": statuses, "elapsed": elapsed}


async def _closed_loop(url: str, clicks: list[Click], inflight: int) -> dict[str, Any]:
    queue = list(enumerate(clicks))
    ok = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def worker() -> None:
            nonlocal ok
            while queue:
                n, (user, token, response_url) = queue.pop()
                body, headers = _signed(_click(user, token, 1 + n % 7, n, response_url))
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    ok += response.status == 200

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(inflight)))
        return {"ok": ok, "elapsed": time.perf_counter() - start}


def _generate(kind: str, url: str, clicks: list[Click], knob: float, out: Any) -> None:
    if kind == "open":
        out.send(asyncio.run(_open_loop(url, clicks, knob)))
    else:
        out.send(asyncio.run(_closed_loop(url, clicks, int(knob))))


def _run_generator(kind: str, url: str, clicks: list[Click], knob: float) -> Any:
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_generate, args=(kind, url, clicks, knob, send))
    process.start()
    result = receive.recv()
    process.join()
    return result


# --- the bot side (this process) --------------------------------------------------------------


def _serve_stub(port: int) -> None:
    """A Web API that says ok to everything, so the bot's chat.update costs what Slack's would."""

    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"ok": True, "channel": "D1", "ts": "1.1", "user_id": "U0BOT"})

    app = web.Application()
    app.router.add_route("*", "/api/{method}", ok)
    app.router.add_post("/respond/{user}", ok)  # a click's response_url
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


class _StubSlack:
    """The stand-in Web API in its own process, so that it costs the bot's loop nothing."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        context = multiprocessing.get_context("spawn")
        self._process = context.Process(target=_serve_stub, args=(self.port,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def start(self) -> None:
        self._process.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("the stand-in Web API did not start")

    def stop(self) -> None:
        self._process.terminate()
        self._process.join()


async def _serve(routes: Any) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.add_routes(routes)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"


async def _population(repository: Any, count: int, prefix: str, respond_base: str) -> list[Click]:
    from pulse_mirror.storage.tables import delivery, person
    from pulse_mirror.surveys.model import IsoWeek, Side

    now = dt.datetime.now(dt.UTC)
    week = IsoWeek.of(now)
    pulse = await repository.get_or_create_pulse(
        week=week,
        side=Side.EMPLOYEE,
        items=["effort.employee"],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=3),
    )
    people = [
        {
            "side": "employee",
            "platform": "slack",
            "platform_user_id": f"U{prefix}{n:07d}",
            "language": "en",
            "time_zone": "UTC",
            "group": f"team{n % 20}",
            "status": "active",
            "created_at": now,
        }
        for n in range(count)
    ]
    async with repository.engine.begin() as connection:
        await connection.execute(person.insert(), people)
        rows = (
            await connection.execute(
                person.select().where(person.c.platform_user_id.like(f"U{prefix}%"))
            )
        ).all()
        messages = [
            {
                "key": f"pulse:{pulse.id}:{row.id}:question",
                "pulse_id": pulse.id,
                "person_id": row.id,
                "kind": "question",
                "due_at": now,
                "status": "sent",
                "token": secrets.token_urlsafe(12),
                "sent_at": now,
            }
            for row in rows
        ]
        await connection.execute(delivery.insert(), messages)
    by_person = {m["person_id"]: m["token"] for m in messages}
    return [
        (row.platform_user_id, by_person[row.id], respond_base + row.platform_user_id)
        for row in rows
    ]


async def _count(engine: Any) -> tuple[int, int]:
    import sqlalchemy as sa

    async with engine.connect() as connection:
        answers = (await connection.execute(sa.text("SELECT count(*) FROM answer"))).scalar_one()
        linked = (
            await connection.execute(
                sa.text("SELECT count(*) FROM ballot WHERE answer_id IS NOT NULL")
            )
        ).scalar_one()
    return int(answers), int(linked)


async def _settled(engine: Any, expected: int, *, timeout: float = 120.0) -> tuple[int, float]:
    """Wait until the answers stop growing (or reach ``expected``); return count and when."""
    last, last_change, deadline = -1, time.perf_counter(), time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        stored, _ = await _count(engine)
        if stored != last:
            last, last_change = stored, time.perf_counter()
        if stored >= expected or time.perf_counter() - last_change > 5:
            break
        await asyncio.sleep(0.05)
    return last, last_change


def _fresh_database(kind: str, folder: str) -> tuple[str, Any]:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{folder}/bench.db", None
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(PG)
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    name = f"pulse_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return server.set(database=name).render_as_string(hide_password=False), drop


async def _bot(url: str, api_url: str) -> tuple[Any, Any, Any]:
    from pulse_mirror.config.settings import parse_config
    from pulse_mirror.slack.runtime import build_slack
    from pulse_mirror.storage.engine import create_engine
    from pulse_mirror.storage.migrate import upgrade
    from pulse_mirror.storage.repository import SqlRepository
    from pulse_mirror.surveys.bank import load_bank
    from pulse_mirror.surveys.ports import SystemClock
    from pulse_mirror.surveys.service import PulseAnswers

    await upgrade(url)
    engine = create_engine(url)
    repository = SqlRepository(engine)
    config = parse_config(
        {"slack": {"enabled": True, "mode": "http", "api_url": api_url}},
        env={"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET},
    )
    clock = SystemClock()
    answers = PulseAnswers(repository=repository, bank=load_bank(), clock=clock)
    runtime = build_slack(config, answers=answers, repository=repository, clock=clock)
    return runtime, repository, engine


async def _bare(api_url: str, session: aiohttp.ClientSession, *, update: bool = False) -> Any:
    """A bare Bolt endpoint that only acks, or (``update``) acks and then confirms the click."""
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient
    from slack_sdk.webhook.async_client import AsyncWebhookClient

    client = AsyncWebClient(token="xoxb-bench", base_url=api_url)
    client.session = session  # one pool, as the bot's runtime has
    app = AsyncApp(client=client, signing_secret=SECRET, process_before_response=update)

    @app.action(__import__("re").compile(r"^pulse_answer_\d+$"))
    async def only_ack(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        if update:  # confirm the way the bot does: replace the message through response_url
            hook = AsyncWebhookClient(url=body["response_url"], session=session)
            await hook.send_dict({"replace_original": True, "text": "Recorded"})

    async def handle(request: web.Request) -> web.Response:
        from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    return [web.post("/slack/events", handle)]


async def _measure(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    folder = tempfile.mkdtemp(prefix="pulse-bench-")
    url, drop = _fresh_database(kind, folder)
    stub = _StubSlack()
    stub.start()
    api_url = stub.url
    runtime, repository, engine = await _bot(url, api_url)
    await runtime.start()
    runner, endpoint = await _serve(runtime.routes())
    try:
        respond_base = stub.url.replace("/api/", "/respond/")
        clicks = await _population(repository, int(args.rate * args.seconds), "o", respond_base)
        doubles = clicks[:: max(1, int(1 / args.doubles))] if args.doubles > 0 else []
        offered = clicks + doubles  # double clicks: the same person's same button twice
        opened = await asyncio.to_thread(_run_generator, "open", endpoint, offered, args.rate)
        stored, _ = await _settled(engine, len(clicks))
        answers, linked = await _count(engine)
        lat = sorted(opened["latencies"])
        open_loop = {
            "offered_per_s": args.rate,
            "clicks": len(offered),
            "ack_p50_ms": round(1000 * statistics.median(lat), 2),
            "ack_p99_ms": round(1000 * lat[int(0.99 * (len(lat) - 1))], 2),
            "acked_200": opened["statuses"].get(200, 0),
            "stored": stored,
            "lost": len(clicks) - linked,
            "duplicated": answers - linked,
        }
        ceiling_clicks = await _population(repository, args.ceiling_clicks, "c", respond_base)
        before, _ = await _count(engine)
        started = time.perf_counter()
        await asyncio.to_thread(_run_generator, "closed", endpoint, ceiling_clicks, args.inflight)
        after, finished = await _settled(engine, before + len(ceiling_clicks))
        pulse_rate = (after - before) / (finished - started)
    finally:
        await runner.cleanup()
        await runtime.stop()
        await engine.dispose()
    rates = {}
    try:
        for update in (False, True):
            session = aiohttp.ClientSession()
            routes = await _bare(api_url, session, update=update)
            bare_runner, bare_endpoint = await _serve(routes)
            try:
                bare = await asyncio.to_thread(
                    _run_generator, "closed", bare_endpoint, ceiling_clicks, args.inflight
                )
                rates[update] = bare["ok"] / bare["elapsed"]
            finally:
                await bare_runner.cleanup()
                await session.close()
    finally:
        stub.stop()
        if drop is not None:
            drop()
    bare_rate, confirming_rate = rates[False], rates[True]
    return {
        "open_loop": open_loop,
        "ceiling_stored_per_s": round(pulse_rate, 1),
        "bare_bolt_acks_per_s": round(bare_rate, 1),
        "ceiling_ratio": round(pulse_rate / bare_rate, 3),
        # What any handler that shows each click's result costs, before storing anything:
        "bare_bolt_ack_and_confirm_per_s": round(confirming_rate, 1),
        "ack_and_confirm_ratio_to_bare": round(confirming_rate / bare_rate, 3),
    }


def _postgres_reachable() -> bool:
    try:
        _, drop = _fresh_database("postgres", "")
    except Exception:
        return False
    drop()
    return True


def main() -> None:
    """Run the benchmark and print its one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=600.0)
    parser.add_argument("--inflight", type=int, default=200)
    parser.add_argument("--ceiling-clicks", type=int, default=6000)
    parser.add_argument("--doubles", type=float, default=0.05, help="share of double clicks")
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    figures: dict[str, Any] = {}
    for kind in args.databases.split(","):
        if kind == "postgres" and not _postgres_reachable():
            figures[kind] = "skipped: PostgreSQL not reachable"
            continue
        figures[kind] = asyncio.run(_measure(kind, args))
    machine = {
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
    }
    print(json.dumps({"benchmark": "slack_ingest", "figures": figures, "machine": machine}))


if __name__ == "__main__":
    main()
