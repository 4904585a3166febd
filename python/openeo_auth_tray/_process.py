"""One run of the command line as a child process whose every wait is bounded.

- It runs in a session of its own (a new process group on Windows): the Ctrl-C a terminal sends to
  the script's process group is the script's; a refresh under way finishes and saves its token.
- Its stdout and stderr are read at once, each on a thread, in chunks, up to a cap: a command
  that prints without end costs a few MiB, never all it prints.
- When it takes too long or prints too much, its whole process group is ended: SIGTERM, a short
  grace (the CLI defers the signal while it saves a rotated token), then SIGKILL. A wrapper
  script's children that keep the pipes open are in that group too.
- No wait is unbounded: whatever still holds the pipes after that is left to the reader threads
  (daemons, which close the pipes when it ends).
"""

import os
import signal
import subprocess
import sys
import threading
import time
from typing import IO, Callable, List, Optional

#: Longest output kept per stream (a token line is a few KiB); more ends the run.
MAX_OUTPUT = 1024 * 1024
#: After SIGTERM, how long the process group has before SIGKILL.
KILL_GRACE = 5.0
#: After the command itself ended (or after SIGKILL), how long its pipes may take to close.
DRAIN_GRACE = 2.0
_CHUNK = 64 * 1024


class _Output:
    """One pipe of the child, read on a daemon thread up to :data:`MAX_OUTPUT` bytes (plus one)."""

    def __init__(self, pipe: IO[bytes], changed: threading.Event):
        self.data = bytearray()
        self.over = False
        self.closed = False
        self._pipe = pipe
        self._changed = changed
        threading.Thread(target=self._read, name="openeo-auth-tray CLI output", daemon=True).start()

    def _read(self) -> None:
        try:
            while True:
                chunk = self._pipe.read(_CHUNK)  # unbuffered: at most one read(2)
                if not chunk:
                    break
                self.data += chunk[: MAX_OUTPUT + 1 - len(self.data)]
                if len(self.data) > MAX_OUTPUT:
                    self.over = True
                    break
        except (OSError, ValueError):
            pass
        finally:
            self._pipe.close()
            self.closed = True
            self._changed.set()


class BoundedRun:
    """Starts ``args``; :meth:`finish` waits for it, bounded. Raises OSError when it cannot start."""

    def __init__(self, args: List[str]):
        if sys.platform == "win32":
            flags = subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.CREATE_NO_WINDOW  # type: ignore[attr-defined]
            kwargs: dict = {"creationflags": flags}
        else:
            kwargs = {"start_new_session": True}
        self._proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0, **kwargs)
        self._changed = threading.Event()
        self._exited = threading.Event()
        self.stdout = _Output(self._proc.stdout, self._changed)  # type: ignore[arg-type]
        self.stderr = _Output(self._proc.stderr, self._changed)  # type: ignore[arg-type]
        threading.Thread(target=self._wait, name="openeo-auth-tray CLI", daemon=True).start()

    def _wait(self) -> None:
        self._proc.wait()  # reaps it; the only wait on the process
        self._exited.set()
        self._changed.set()

    @property
    def returncode(self) -> Optional[int]:
        """The exit code once it has ended, else None."""
        return self._proc.returncode if self._exited.is_set() else None

    def _too_much(self) -> bool:
        return self.stdout.over or self.stderr.over

    def _done(self) -> bool:
        return self._exited.is_set() and self.stdout.closed and self.stderr.closed

    def _wait_until(self, deadline: float, done: Callable[[], bool]) -> bool:
        """Waits until ``done()`` (checked whenever a pipe closes or the process ends) or the deadline."""
        while True:
            self._changed.clear()
            if done():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._changed.wait(left)

    def finish(self, timeout: float) -> str:
        """Waits for the command: ``"done"`` (it ended; its output is in ``stdout``, ``stderr``),
        ``"timeout"`` or ``"too much"`` (output over the cap); in the last two its process group
        has been ended. Returns within ``timeout`` + :data:`KILL_GRACE` + 2 × :data:`DRAIN_GRACE`."""
        deadline = time.monotonic() + timeout
        self._wait_until(deadline, lambda: self._too_much() or self._exited.is_set())
        if self._too_much():
            self._end_group()
            return "too much"
        if not self._exited.is_set():
            self._end_group()
            return "timeout"
        # It has ended: what it wrote is in the pipes, unless something it left holds them open.
        if not self._wait_until(min(deadline, time.monotonic() + DRAIN_GRACE), self._done):
            self._end_group()
        return "too much" if self._too_much() else "done"

    def _end_group(self) -> None:
        """SIGTERM to the process group, a grace, SIGKILL; then a bounded wait for the pipes."""
        if sys.platform == "win32":
            # No SIGTERM for a console program without a console: end the tree at once.
            subprocess.run(["taskkill", "/T", "/F", "/PID", str(self._proc.pid)], capture_output=True, timeout=30, check=False)
            self._wait_until(time.monotonic() + DRAIN_GRACE, self._done)
            return
        self._signal_group(signal.SIGTERM)
        if self._wait_until(time.monotonic() + KILL_GRACE, self._done):
            return
        self._signal_group(signal.SIGKILL)
        self._wait_until(time.monotonic() + DRAIN_GRACE, self._done)

    def _signal_group(self, sig: int) -> None:
        # Its process group's id is its pid (a new session), kept while any member lives: it
        # cannot name another group (POSIX does not reuse it before the group has ended).
        try:
            os.killpg(self._proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
