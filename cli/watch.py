"""`watch`: read the API every interval and redraw the screen until `q` or Ctrl-C."""

from dataclasses import replace
from datetime import datetime

from rich.live import Live

from cli.client import ApiClient, ApiRefused, ApiUnreachable
from cli.keys import Keyboard
from cli.output import console
from cli.screen import Frame, watch_screen
from cli.snapshot import RateMeter, take_snapshot

QUIT_KEYS = {"q", "Q"}


def read_frame(client: ApiClient, previous: Frame, meter: RateMeter, history_limit: int) -> Frame:
    """The next frame: a new snapshot, or the last one kept under a notice of why not."""
    now = datetime.now().astimezone()
    try:
        snapshot = take_snapshot(client, history_limit=history_limit)
    except ApiUnreachable as error:
        return replace(previous, now=now, rate=None, problem=f"API unreachable ({error})")
    except ApiRefused as refused:
        problem = f"API answered {refused.status_code} ({refused.detail})"
        return replace(previous, now=now, rate=None, problem=problem)
    rate = meter.add(int(snapshot.status.get("rows_seen") or 0))
    return replace(previous, now=now, snapshot=snapshot, rate=rate, problem=None, last_success=now)


def watch(*, api_url: str, interval: float, timeout: float, history_limit: int) -> None:
    """Run the live view until `q` is typed; Ctrl-C raises KeyboardInterrupt as usual."""
    frame = Frame(
        api_url=api_url, interval=interval, now=datetime.now().astimezone(), snapshot=None
    )
    # A window of several intervals, so that ticks slower than a refresh show as a steady rate.
    meter = RateMeter(window=max(10.0, 5 * interval))
    with (
        ApiClient(api_url, timeout=timeout) as client,
        Keyboard() as keyboard,
        Live(console=console, screen=True, auto_refresh=False) as live,
    ):
        while True:
            frame = read_frame(client, frame, meter, history_limit)
            live.update(watch_screen(frame), refresh=True)
            if QUIT_KEYS & set(keyboard.wait(interval)):
                return
