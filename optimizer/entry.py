"""The console script: start the supervisor first, load the package in the supervised child.

``returnroute`` and ``python -m optimizer`` land here. This module and ``optimizer.supervise``
use the standard library only, and ``import optimizer`` loads nothing heavy, so the parent
process is supervising within milliseconds of starting: a Ctrl-C pressed while pandas,
OR-Tools and the rest are still being imported (in the child) ends the run like any other
(exit 130, one line, no traceback).
"""

from __future__ import annotations

import os
import signal
import sys


def _stopped_early(signum: int, frame: object) -> None:
    """A signal before the supervisor is running: nothing has started, say so and leave."""
    os.write(2, b"interrupted before the command started: nothing was written\n")
    os._exit(128 + signum)


# before anything else is imported: from here on a Ctrl-C never shows a traceback
for _sig in (signal.SIGINT, signal.SIGTERM):
    signal.signal(_sig, _stopped_early)

import contextlib  # noqa: E402 - after the handlers, on purpose
from typing import NoReturn  # noqa: E402

from optimizer.supervise import process_started, supervise  # noqa: E402


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line in a supervised child and leave with its exit code."""
    started = process_started()
    code = supervise(lambda: _command(argv, started), restore=False)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(code)


def _command(argv: list[str] | None, started: float) -> int:
    """In the child: import the command line and run it."""
    from optimizer.cli import run_command

    return run_command(argv, started)
