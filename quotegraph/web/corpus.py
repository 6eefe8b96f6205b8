"""Database connections for web requests: a small pool, each query bounded in time.

One SQLite connection must not be used by two requests at once, and FastAPI runs a request's
dependencies and its handler on whichever worker threads are free, so thread-local connections
would be shared by accident. A pool hands each request a connection of its own for the length
of the request. A progress handler aborts any statement that runs past the request's deadline,
so one pathological search cannot hold a worker for long.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from quotegraph.store import Store

#: SQLite virtual-machine steps between two deadline checks (a check costs a clock read).
_CHECK_EVERY_STEPS = 20_000


class QueryTimeout(Exception):
    """A query ran past the request's time limit and was interrupted."""


class _Connection:
    """A pooled connection with the deadline its progress handler enforces."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.deadline = float("inf")
        conn.set_progress_handler(self._past_deadline, _CHECK_EVERY_STEPS)

    def _past_deadline(self) -> int:
        return 1 if time.monotonic() > self.deadline else 0


class CorpusPool:
    """Up to ``size`` open connections to the corpus at ``path``, lent one per request."""

    def __init__(self, path: str | Path, size: int = 8, time_limit_s: float = 10.0) -> None:
        self.path = str(path)
        self.time_limit_s = time_limit_s
        self._idle: queue.LifoQueue[_Connection] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._all: list[_Connection] = []
        self._lock = threading.Lock()
        Store.open(self.path).close()  # create or migrate once, before any request

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for one request; statements past the time limit raise QueryTimeout."""
        self._slots.acquire()
        pooled = self._take()
        pooled.deadline = time.monotonic() + self.time_limit_s
        try:
            yield pooled.conn
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise QueryTimeout(
                    f"the query took longer than {self.time_limit_s:g} s; narrow it down"
                ) from exc
            raise
        finally:
            pooled.deadline = float("inf")
            self._idle.put(pooled)
            self._slots.release()

    @contextmanager
    def writer(self) -> Iterator[Store]:
        """The corpus opened for writing (ingest, merge), one writer at a time."""
        with self._lock, Store.open(self.path) as store:
            yield store

    def close(self) -> None:
        for pooled in self._all:
            pooled.conn.close()
        self._all.clear()

    def _take(self) -> _Connection:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pooled = _Connection(Store.open(self.path, create=False).conn)
            self._all.append(pooled)
            return pooled
