"""``pulse demo``: a simulated company answering through the real bot, in under a minute."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from pulse_mirror.cli.progress import progress
from pulse_mirror.cli.support import fail, out

if TYPE_CHECKING:
    from pulse_mirror.demo.run import DemoResult

EXIT_INTERRUPTED = 130


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("demo", epilog="Example: pulse demo --weeks 4 --out demo-output")(demo)


def demo(
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=26, help="Weeks to simulate.")] = 8,
    employees: Annotated[
        int, typer.Option("--employees", min=5, max=1000, help="Employees in Slack.")
    ] = 60,
    customers: Annotated[
        int, typer.Option("--customers", min=10, max=10000, help="Customers in Telegram.")
    ] = 600,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same figures.")] = 7,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the output.")] = Path(
        "demo-output"
    ),
    lang: Annotated[Literal["en", "de"], typer.Option("--lang", help="en or de.")] = "en",
    readme_image: Annotated[
        Path | None, typer.Option("--readme-image", help="Also copy the mirror chart here.")
    ] = None,
) -> None:
    """Run a simulated company through the bot and the Slack and Telegram stand-ins."""
    # heavy: the demo starts the whole bot (Bolt, PTB, matplotlib); `pulse --help` stays quick
    from pulse_mirror.demo.run import DemoOptions, DemoStopped, run_until_ctrl_c

    logging.getLogger().setLevel(logging.ERROR)
    options = DemoOptions(
        weeks=weeks, employees=employees, customers=customers, seed=seed, out=out_dir,
        lang=lang, readme_image=readme_image,
    )  # fmt: skip
    started = time.perf_counter()
    with progress("simulating weeks", total=weeks) as advance:

        def advanced(step: object) -> None:
            advance(description=f"reported {step.week}")  # type: ignore[attr-defined]

        try:
            result = asyncio.run(run_until_ctrl_c(options, on_week=advanced))
        except (DemoStopped, KeyboardInterrupt):
            out.print("stopped; the bot and the stand-ins were shut down", markup=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as error:  # one line, never a traceback
            raise fail([f"demo: {type(error).__name__}: {error}"]) from None
    _summary(result, seconds=time.perf_counter() - started)


def _summary(result: DemoResult, *, seconds: float) -> None:
    sent = result.sent
    rates = {
        side: f"{rate:.0%}" if rate is not None else "–" for side, rate in result.rates.items()
    }
    lines = [
        f"{len(result.weeks)} weeks in {seconds:.0f} s of real time",
        f"messages sent: {sent.get('employee', 0)} in Slack, {sent.get('customer', 0)} in Telegram",
        f"answers: {result.answers.get('employee', 0)} from employees, "
        f"{result.answers.get('customer', 0)} from customers",
        f"mean response rate: employees {rates.get('employee', '–')}, "
        f"customers {rates.get('customer', '–')}",
        f"biggest real gap: {result.biggest_gap or 'none'}",
        f"files: {result.out}/<week>/ (report.png, trend.png, nps.png, report.md, "
        "report.json, posted/)",
    ]
    for line in lines:
        out.print(line, markup=False, highlight=False)
