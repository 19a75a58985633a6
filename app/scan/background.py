"""The scan as a background job of the chat server: started after ingest and after every library change, one at
a time (a change during a scan queues one more), its progress readable at any moment by the Disagreements tab."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from app.scan.job import ScanReport
from app.service import Parallax

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanState:
    """What the tab shows: whether a scan runs, how far it is, and the last finished scan's report."""

    running: bool
    done: int
    total: int
    doing: str
    report: ScanReport | None
    error: str | None


class ScanRunner:
    """Runs `service.scan(llm)` on a daemon thread."""

    def __init__(self, service: Parallax, llm: str, automatic: bool = True) -> None:
        self.service = service
        self.llm = llm
        self.automatic = automatic  # False: only the tab's Scan button starts a scan
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again: str | None = None
        self._progress = (0, 0, "")
        self._report: ScanReport | None = None
        self._error: str | None = None

    def start(self, llm: str | None = None, asked: bool = False) -> None:
        """Scan (with `llm`, default the runner's) when automatic scans are on or a user `asked`; when a scan
        runs, one more follows it."""
        if not (self.automatic or asked):
            return
        with self._lock:
            name = llm or self.llm
            if self._thread is not None and self._thread.is_alive():
                self._again = name
                return
            self._thread = threading.Thread(target=self._run, args=(name,), name="parallax-scan", daemon=True)
            self._thread.start()

    def _run(self, llm: str) -> None:
        while True:
            try:
                report = self.service.scan(llm, progress=self._note)
                with self._lock:
                    self._report, self._error = report, None
            except Exception as exc:
                log.warning("disagreement scan failed: %s", exc)
                with self._lock:
                    self._error = str(exc)
            with self._lock:
                llm, self._again = self._again, None
                if llm is None:
                    self._thread = None
                    return

    def _note(self, done: int, total: int, doing: str) -> None:
        with self._lock:
            self._progress = (done, total, doing)

    def wait(self, timeout: float | None = None) -> None:
        """Block until no scan runs (tests and the CLI)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def state(self) -> ScanState:
        """A snapshot for the tab."""
        with self._lock:
            running = self._thread is not None and self._thread.is_alive()
            return ScanState(running, *self._progress, self._report, self._error)
