"""Saved conversations: one SQLite file; each owner sees only their own."""

from __future__ import annotations

from pathlib import Path

from app.chat.conversations import ConversationStore, Turn


def test_turns_are_saved_rewritten_listed_and_deleted(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite")
    first = store.save_turn("alice", None, 0, Turn("Who met in Yokosuka?", {"answer": "instant"}))
    assert store.save_turn("alice", first, 0, Turn("Who met in Yokosuka?", {"answer": "reader"})) == first
    store.save_turn("alice", first, 1, Turn("And when?", {"answer": "January 30"}))
    assert [t.answer["answer"] for t in ConversationStore(tmp_path / "c.sqlite").turns("alice", first)] == [
        "reader",
        "January 30",
    ]  # the reader's answer replaced the instant one; a new store object reads the same file
    second = store.save_turn("alice", None, 0, Turn("  What   about Japan? ", {}))
    assert [(c.id, c.title) for c in store.list("alice")] == [
        (second, "What about Japan?"),
        (first, "Who met in Yokosuka?"),
    ]
    assert store.delete("alice", first) and not store.delete("alice", first)
    assert store.turns("alice", first) == [] and [c.id for c in store.list("alice")] == [second]


def test_an_owner_never_sees_or_changes_another_owners_conversation(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite")
    mine = store.save_turn("alice", None, 0, Turn("private question", {}))
    assert store.list("bob") == [] and store.turns("bob", mine) == []
    assert not store.delete("bob", mine)
    # writing to someone else's conversation id starts a new conversation of one's own
    theirs = store.save_turn("bob", mine, 0, Turn("bob's question", {}))
    assert theirs != mine and [t.message for t in store.turns("alice", mine)] == ["private question"]


def test_going_back_to_an_earlier_turn_drops_the_later_ones(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite")
    c = store.save_turn("a", None, 0, Turn("one", {}))
    store.save_turn("a", c, 1, Turn("two", {}))
    store.save_turn("a", c, 2, Turn("three", {}))
    store.save_turn("a", c, 1, Turn("two again", {}))
    assert [t.message for t in store.turns("a", c)] == ["one", "two again"]
