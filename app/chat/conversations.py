"""Conversations kept on the server: one SQLite file under the data folder, each conversation owned by one
browser (a random key it keeps) or, with login on, one user. Every read and write names the owner, so one
browser never sees another's conversations.

A turn is the user's message and the Answer JSON (`Answer.to_dict()`); it is written when the instant answer
arrives and rewritten when the reader's replaces it, so a reload mid-answer keeps what was shown.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

TITLE_CHARS = 80
SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_owner ON conversations (owner, updated);
CREATE TABLE IF NOT EXISTS turns (
    conversation TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL, message TEXT NOT NULL, answer TEXT NOT NULL,
    PRIMARY KEY (conversation, position)
);
"""


@dataclass(frozen=True)
class Summary:
    """A conversation in the list: its id, title (its first question) and when it last changed."""

    id: str
    title: str
    updated: float


@dataclass(frozen=True)
class Turn:
    """One question and the Answer JSON it got."""

    message: str
    answer: dict


class ConversationStore:
    """Conversations in `path` (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One connection per call (Gradio runs handlers on many threads), committed on success."""
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            with db:
                yield db
        finally:
            db.close()

    def save_turn(self, owner: str, conversation: str | None, position: int, turn: Turn) -> str:
        """Write turn `position` of `conversation` (a new conversation when None or not the owner's); returns the
        conversation's id."""
        now = time.time()
        with self._db() as db:
            if conversation is None or not self._owns(db, owner, conversation):
                conversation = uuid.uuid4().hex
                title = " ".join(turn.message.split())[:TITLE_CHARS]
                db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?, ?)", (conversation, owner, title, now, now))
            db.execute(
                "INSERT OR REPLACE INTO turns VALUES (?, ?, ?, ?)",
                (conversation, position, turn.message, json.dumps(turn.answer, ensure_ascii=False)),
            )
            db.execute("DELETE FROM turns WHERE conversation = ? AND position > ?", (conversation, position))
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation))
        return conversation

    def list(self, owner: str) -> list[Summary]:
        """The owner's conversations, most recent first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT id, title, updated FROM conversations WHERE owner = ? ORDER BY updated DESC", (owner,)
            ).fetchall()
        return [Summary(*row) for row in rows]

    def turns(self, owner: str, conversation: str) -> list[Turn]:
        """The conversation's turns in order (empty when it is not the owner's or does not exist)."""
        with self._db() as db:
            if not self._owns(db, owner, conversation):
                return []
            rows = db.execute(
                "SELECT message, answer FROM turns WHERE conversation = ? ORDER BY position", (conversation,)
            ).fetchall()
        return [Turn(message, json.loads(answer)) for message, answer in rows]

    def delete(self, owner: str, conversation: str) -> bool:
        """Delete one of the owner's conversations; False when there was none."""
        with self._db() as db:
            gone = db.execute("DELETE FROM conversations WHERE id = ? AND owner = ?", (conversation, owner)).rowcount
        return bool(gone)

    @staticmethod
    def _owns(db: sqlite3.Connection, owner: str, conversation: str) -> bool:
        row = db.execute("SELECT 1 FROM conversations WHERE id = ? AND owner = ?", (conversation, owner)).fetchone()
        return row is not None
