"""`parallax` as a user runs it: a real subprocess, a real store in a temp folder."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def parallax(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=env.get("CWD", ROOT),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        input=stdin,
    )


def test_ingest_then_search_json_then_reingest(tmp_path: Path) -> None:
    env = {"PARALLAX_STORE_PATH": str(tmp_path / "store")}
    first = parallax("ingest", "--quiet", env=env)
    assert first.returncode == 0, first.stderr
    assert "5 articles embedded (5 new, 0 changed)" in first.stdout

    found = parallax("search", "Who attended the January 30 meeting in Yokosuka?", "--k", "5", "--json", env=env)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert len(hits) == 5
    assert {"file", "chunk_id", "start", "end", "text", "score"} <= set(hits[0])
    files = {h["file"][:3] for h in hits}
    assert {"000", "001"} <= files

    again = parallax("ingest", env=env)
    assert again.returncode == 0
    assert again.stdout.startswith("0 articles embedded")


def test_library_commands_list_group_remove_and_restore(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    for seed in seeds[:2]:
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "copy.txt").write_bytes(seeds[0].read_bytes())
    (folder / "dump.jsonl").write_text(
        json.dumps({"title": "Harbour reopens", "date": "2024-03-04", "text": "The Pemba harbour reopened."}) + "\n",
        encoding="utf-8",
    )
    env = {"PARALLAX_STORE_PATH": str(tmp_path / "s"), "PARALLAX_DATA_DIR": str(folder)}
    ingested = parallax("ingest", "--quiet", env=env)
    assert ingested.returncode == 0, ingested.stderr
    assert f"syndicated copies (one story): {seeds[0].name}, copy.txt" in ingested.stdout

    listed = json.loads(parallax("articles", "--json", env=env).stdout)
    by_file = {e["file"]: e for e in listed}
    assert set(by_file) == {seeds[0].name, seeds[1].name, "copy.txt", "dump.jsonl#1"}
    assert by_file["copy.txt"]["group"] == [seeds[0].name, "copy.txt"] and by_file[seeds[1].name]["group"] == []
    assert by_file["dump.jsonl#1"]["published"] == "2024-03-04" and by_file["dump.jsonl#1"]["passages"] == 1
    assert "same story as: copy.txt" in parallax("articles", env=env).stdout

    removed = parallax("remove", "copy.txt", env=env)
    assert removed.returncode == 0 and "removed 1 article(s): copy.txt" in removed.stdout
    assert (folder / "copy.txt").exists()
    again = parallax("ingest", "--quiet", env=env)
    assert "1 excluded" in again.stdout and "syndicated" not in again.stdout
    assert "copy.txt" not in {e["file"] for e in json.loads(parallax("articles", "--json", env=env).stdout)}

    restored = parallax("restore", "copy.txt", env=env)
    assert restored.returncode == 0 and "1 articles embedded (1 new" in restored.stdout
    assert parallax("remove", "nothing.txt", env=env).stderr.strip() == (
        "Error: nothing.txt: not in the library (`parallax articles` lists what is)"
    )
    deleted = parallax("remove", "dump.jsonl", "--delete-file", env=env)
    assert deleted.returncode == 0 and not (folder / "dump.jsonl").exists()


def test_search_before_ingest_says_what_to_do(tmp_path: Path) -> None:
    result = parallax("search", "anything", env={"PARALLAX_STORE_PATH": str(tmp_path / "empty")})
    assert result.returncode == 1
    assert "no articles indexed: run `parallax ingest`" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_input_folder_gives_per_file_messages(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.md").write_text("# Title\n\nSome real text about ministers.", encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = parallax("ingest", str(folder), "--quiet", env={"PARALLAX_STORE_PATH": str(tmp_path / "s")})
    assert result.returncode == 0
    assert "skipped bad.txt: looks like a binary file" in result.stderr
    assert "1 articles embedded" in result.stdout


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "void").mkdir()
    result = parallax("ingest", str(tmp_path / "void"), env={"PARALLAX_STORE_PATH": str(tmp_path / "s")})
    assert result.returncode == 0
    assert "no articles found in" in result.stderr


def test_unreachable_chroma_server_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again at once: nothing listens there
    env = {"PARALLAX_CHROMA_HOST": "127.0.0.1", "PARALLAX_CHROMA_PORT": str(port)}
    result = parallax("search", "anything", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot reach Chroma server at 127.0.0.1:{port}" in lines[0]


def test_bad_setting_names_the_field(tmp_path: Path) -> None:
    result = parallax("search", "x", env={"PARALLAX_TOP_K": "zero"})
    assert result.returncode == 1
    assert "top_k" in result.stderr and "Traceback" not in result.stderr


def test_ask_json_and_plain(tmp_path: Path) -> None:
    env = {"PARALLAX_STORE_PATH": str(tmp_path / "store")}
    assert parallax("ingest", "--quiet", env=env).returncode == 0
    question = "Which South Korean defense minister attended the January 30 meeting in Yokosuka?"
    result = parallax("ask", question, "--json", "--llm", "none", env=env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["backend"] == "extractive" and answer["conflicts"] and not answer["abstained"]
    plain = parallax("ask", "What is the population of Yokosuka?", env={**env, "PARALLAX_LLM": "none"})
    assert plain.returncode == 0
    assert plain.stdout.startswith("No answer in the articles.")
    assert "Closest passages" in plain.stdout


def test_chat_keeps_the_conversation_in_the_terminal(tmp_path: Path) -> None:
    env = {"PARALLAX_STORE_PATH": str(tmp_path / "store"), "PARALLAX_LLM": "none"}
    assert parallax("ingest", "--quiet", env=env).returncode == 0
    typed = "Who is Japan's defense minister according to the articles?\n" + "x" * 3000 + "\nAnd South Korea's?\n\n"
    result = parallax("chat", env=env, stdin=typed)
    assert result.returncode == 0, result.stderr
    assert "Answering: Who is South Korea's defense minister according to the articles?" in result.stdout
    assert "Suh Wook" in result.stdout and "Nobuo Kishi" in result.stdout
    assert "the limit is 2000" in result.stderr  # a bad question is one line; the conversation goes on


def test_disagreements_lists_what_the_rules_find(tmp_path: Path) -> None:
    env = {"PARALLAX_STORE_PATH": str(tmp_path / "store"), "PARALLAX_LLM": "none"}
    assert parallax("ingest", "--quiet", env=env).returncode == 0
    result = parallax("disagreements", "--json", env=env)
    assert result.returncode == 0, result.stderr
    (finding,) = json.loads(result.stdout)
    assert {c["value"] for c in finding["conflict"]["claims"]} == {"roughly 18 months", "2018"}
    assert "left for an LLM" in result.stderr  # the ministers wait for a model; the report says so
    plain = parallax("disagreements", env=env)
    assert "South Korean Defense Minister (time)" in plain.stdout and "Valor" in plain.stdout


def test_ask_rejects_an_empty_question(tmp_path: Path) -> None:
    result = parallax("ask", "   ", env={"PARALLAX_STORE_PATH": str(tmp_path / "store")})
    assert result.returncode == 1
    assert "the question is empty" in result.stderr and "Traceback" not in result.stderr


def test_eval_removes_its_throwaway_stores(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {"TMPDIR": str(scratch), "PARALLAX_STORE_PATH": str(tmp_path / "store")}
    dataset = str(ROOT / "tests" / "data" / "mini_dataset.jsonl")
    result = parallax("eval", "--dataset", dataset, "--backend", "none", "--out", str(tmp_path / "out"), env=env)
    assert result.returncode == 0, result.stderr
    assert "## mini_dataset (3 questions)" in result.stdout and list((tmp_path / "out").glob("*.md"))
    assert not list(scratch.glob("parallax-*"))  # each set's stores (~100 MB) were left behind before
