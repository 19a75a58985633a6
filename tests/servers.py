"""Starting real servers for tests (chroma run, llama.cpp's server, parallax serve) and waiting until they answer."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> Callable[[], bool]:
    def check() -> bool:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True

    return check


def http_ok(url: str) -> Callable[[], bool]:
    return lambda: httpx.get(url, timeout=1).status_code == 200


@contextmanager
def running(cmd: list[str], ready: Callable[[], bool], seconds: float, **popen: object) -> Iterator[subprocess.Popen]:
    """Start `cmd`, wait until `ready()` holds (failing the test if it exits or takes too long), stop it after."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    proc = subprocess.Popen(cmd, **popen)  # type: ignore[call-overload]
    try:
        deadline = time.monotonic() + seconds
        while True:
            if proc.poll() is not None:
                output = proc.stdout.read().decode()[-3000:] if proc.stdout else ""
                pytest.fail(f"{cmd[0]} exited with {proc.returncode} before it was ready\n{output}")
            try:
                if ready():
                    break
            except (OSError, httpx.HTTPError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{' '.join(cmd[:3])} was not ready after {seconds:g} s")
            time.sleep(0.3)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)
