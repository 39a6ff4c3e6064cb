"""What one-shot commands print, and the exit code each kind of failure ends with."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import typer
from rich.console import Console, RenderableType

from cli.client import ApiRefused, ApiUnreachable, Json

EXIT_REFUSED = 1  # the API answered with an error: bad input, wrong token, nothing learned
EXIT_USAGE = 2  # as for a wrong option
EXIT_UNREACHABLE = 3  # no answer at all
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports a process ended by SIGINT

console = Console()
errors = Console(stderr=True)


def refusal_line(refused: ApiRefused) -> str:
    """One line for an error answer, with what to do about it where that is known."""
    code, detail = refused.status_code, refused.detail
    if code == 401:
        return f"Refused (401): {detail} Give the API's admin token with --token or ADMIN_TOKEN."
    if code == 403:
        return f"Refused (403): {detail}"
    if code == 422:
        return f"The API refused the input (422): {detail}"
    return f"The API answered {code}: {detail}"


@contextmanager
def reporting() -> Iterator[None]:
    """Turn the API's failures and Ctrl-C into one line on stderr and an exit code."""
    try:
        yield
    except ApiUnreachable as error:
        errors.print(f"API unreachable: {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_UNREACHABLE) from None
    except ApiRefused as refused:
        errors.print(refusal_line(refused), highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_REFUSED) from None
    except KeyboardInterrupt:
        raise typer.Exit(EXIT_INTERRUPTED) from None


def show(response: httpx.Response, *, as_json: bool, render: Callable[[Json], RenderableType]):
    """The API's JSON body unchanged with `--json`, else `render` of it for a person."""
    if as_json:
        sys.stdout.write(response.text.rstrip("\n") + "\n")
    else:
        console.print(render(response.json()))
