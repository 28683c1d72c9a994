"""Many ingest processes writing one PostgreSQL store give the rows one process gives.

The corpus (the fake analyzer's documents, ``tests/ingest_helpers.py``) is made so that
the two halves share stories and events: every story has copies in both halves (story
clustering across processes) and every event is reported by articles in both halves
(event merging across processes). It is ingested into SQLite and into PostgreSQL by one
process, into PostgreSQL by two processes at once taking one half each, and by three
processes at once each taking all of it (racing on every content hash).

What is compared, and why ids are left out: ids are handed out in the order articles
are written, which differs between runs that write concurrently; so are the
first-article fields of a merged event (which article came first). Each store is read
as contents: its story clusters as sets of document ids, each article by document id,
each event by what it says and the set of documents reporting it (an uncoded event's
merge key names its story cluster by the cluster's first document instead of its id),
each source by document and event, and the per-period story counts (``story_volume``)
exactly. The corpus has no chains (A like B, B like C, A unlike C) for which the
order of writing would legitimately change the answer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import detente
from detente.cli import main
from detente.ingest.runner import IngestOptions, ingest
from ingest_helpers import fake_analyzer

pytestmark = pytest.mark.slow

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
STORIES = 20
COPIES = 4  # copies of each story; even ones in half a, odd ones in half b


def _words(seed: int, n: int = 300) -> str:
    import random

    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(10**7)}" for _ in range(n))


def corpus(root: Path) -> tuple[Path, Path]:
    """Two folders (halves) of text dumps; each story has copies in both."""
    halves = (root / "a", root / "b")
    for half in halves:
        half.mkdir(parents=True)
    for story in range(STORIES):
        day = 10 + story % 7
        body = f"Report {story} on the talks. {_words(story)}."
        for copy in range(COPIES):
            lines = [f"Headline {story} copy {copy}", "", body, f"Desk {copy}."]
            lines.append(f"EVENT ASSAULT RUS UKR 2022-05-{day:02d}")  # merges across stories
            if story % 3 == 0:
                lines.append(f"EVENT CONSULT FRA RUS 2022-05-{day:02d}")
            if story % 4 == 1:
                lines.append("EVENT PROTEST UKR RUS -")  # undated: merges within its story only
            if copy == 1 and story % 5 == 0:
                lines.append(f"EVENT AID USA UKR 2022-06-{day:02d}")
            folder = halves[copy % 2]
            (folder / f"s{story:02d}c{copy}.txt").write_text("\n".join(lines) + "\n", "utf-8")
    return halves


def _options(*folders: Path) -> IngestOptions:
    return IngestOptions(paths=list(folders), jobs=1, progress=False,
                         analyzer_factory=fake_analyzer)


def _ingest_process(folders: list[Path], target: str) -> subprocess.Popen[bytes]:
    code = (
        "import sys, detente; from pathlib import Path;"
        " from detente.ingest.runner import IngestOptions, ingest;"
        " from ingest_helpers import fake_analyzer;"
        " db = detente.open(sys.argv[1]);"
        " ingest(IngestOptions(paths=[Path(p) for p in sys.argv[2:]], jobs=1, progress=False,"
        " analyzer_factory=fake_analyzer), db); db.close()"
    )
    # A little analysis time per article, so the processes' writes interleave.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(ROOT / "src")]),
           "DETENTE_FAKE_DELAY": "0.02"}
    return subprocess.Popen([sys.executable, "-c", code, target, *map(str, folders)], env=env,
                            stderr=subprocess.PIPE)


def _run_at_once(runs: list[list[Path]], target: str) -> None:
    detente.open(target).close()  # nothing to race on but the writes (schema races: elsewhere)
    procs = [_ingest_process(folders, target) for folders in runs]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()


def contents(target: str) -> dict[str, Any]:
    """The store as contents, free of ids and of the order of writing."""
    with detente.open(target, read_only=True) as db:
        def rows(sql: str) -> list[Any]:
            return list(db.rows(sql))

        doc = {int(r["id"]): str(r["doc_id"]) for r in rows("SELECT id, doc_id FROM articles")}
        members: dict[int, set[str]] = {}
        for r in rows("SELECT id, cluster_id FROM articles"):
            members.setdefault(int(r["cluster_id"]), set()).add(doc[int(r["id"])])
        story = {cid: min(docs) for cid, docs in members.items()}
        sources: dict[int, set[str]] = {}
        for r in rows("SELECT event_id, article_id FROM event_sources"):
            sources.setdefault(int(r["event_id"]), set()).add(doc[int(r["article_id"])])
        events = {}
        for r in rows("SELECT * FROM events"):
            key = str(r["merge_key"])
            if "|c" in key:
                head, _, cid = key.rpartition("|c")
                key = f"{head}|story {story[int(cid)]}"
            events[int(r["id"])] = (
                key, r["type"], r["quad"], r["actor_codes"], r["recipient_codes"], r["date"],
                r["date_precision"], r["negated"], r["modality"], r["intensity"],
                tuple(sorted(sources[int(r["id"])])),
            )
        return {
            "clusters": sorted(sorted(docs) for docs in members.values()),
            "articles": sorted(
                (str(r["doc_id"]), r["hash"], r["title"], r["published"], r["body"],
                 story[int(r["cluster_id"])], r["result_json"])
                for r in rows("SELECT * FROM articles")),
            "events": Counter(events.values()),
            "sources": Counter(
                (doc[int(r["article_id"])], events[int(r["event_id"])][0], r["sentence"],
                 r["start"], r["end"], r["modality"], r["is_root"], r["event_json"])
                for r in rows("SELECT * FROM event_sources")),
            "story_volume": sorted(tuple(r) for r in rows("SELECT * FROM story_volume")),
            "counts": db.counts(),
        }


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def expected(halves: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The corpus ingested into SQLite by one process (the reference)."""
    target = str(tmp_path_factory.mktemp("lite") / "one.db")
    with detente.open(target) as db:
        assert ingest(_options(*halves), db).added == STORIES * COPIES
    found = contents(target)
    found["target"] = target
    assert len(found["clusters"]) == STORIES
    assert sum(len(e[-1]) > COPIES for e in found["events"]) > 0  # merged across stories
    return found


def _same_contents(target: str, expected: dict[str, Any]) -> None:
    found = contents(target)
    assert found == {k: v for k, v in expected.items() if k != "target"}


COMMANDS = [
    ["query", "--actor", "RUS"], ["query", "--recipient", "UKR", "--until", "2022-05-13"],
    ["trends", "--actor", "RUS", "--recipient", "UKR", "--by", "day", "--format", "json"],
    ["trends", "--actor", "*", "--by", "month", "--format", "csv", "--all"],
    ["alerts", "--by", "day", "--format", "json"], ["export", "--format", "jsonl"],
]


def test_one_process_into_postgresql_stores_what_sqlite_stores(
    halves: tuple[Path, Path], expected: dict[str, Any], pg_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with detente.open(pg_url) as db:
        assert ingest(_options(*halves), db).added == STORIES * COPIES
    _same_contents(pg_url, expected)
    # Written in one order by one process, the stores match row for row, ids included:
    # every command answers the same.
    for command in COMMANDS:
        outputs = []
        for target in (expected["target"], pg_url):
            assert main([*command, "--db", target]) == 0
            outputs.append(re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "<added>",
                                  capsys.readouterr().out))
        assert outputs[1] == outputs[0], command
        assert outputs[0].strip() or command[0] == "alerts"  # too few stories for an alert


def test_two_processes_each_taking_one_half_store_the_same(
    halves: tuple[Path, Path], expected: dict[str, Any], pg_url: str
) -> None:
    _run_at_once([[halves[0]], [halves[1]]], pg_url)
    _same_contents(pg_url, expected)


def test_three_processes_racing_on_every_article_store_each_once(
    halves: tuple[Path, Path], expected: dict[str, Any], pg_url: str
) -> None:
    _run_at_once([[halves[0], halves[1]], [halves[1], halves[0]], [halves[0], halves[1]]],
                 pg_url)
    _same_contents(pg_url, expected)


@pytest.mark.model
def test_the_sample_analysed_by_the_model_is_stored_alike(
    analyzer: Any, tmp_path: Path, pg_cluster: Any
) -> None:
    """The bundled sample through the real pipeline (analysed once), written into SQLite,
    into PostgreSQL by one writer, and into PostgreSQL by two writers at once (one half
    each, on their own connections): the same stored contents."""
    import threading

    from detente.demo import sample_files
    from detente.ingest.hashing import content_hash
    from detente.ingest.sources import read_jsonl, read_path
    from detente.model import RawDocument

    sample, seed = sample_files()
    raws = [r for r in read_jsonl(sample) if isinstance(r, RawDocument)] + [read_path(seed)]
    done = [(content_hash(raw), result) for raw, result in
            zip(raws, analyzer.analyze_many(raws), strict=True)]
    assert len(done) > 50

    def write(target: str, part: list[Any]) -> None:
        with detente.open(target) as db:
            for key, result in part:
                db.add(result, content_hash=key)

    lite, one, two = (str(tmp_path / "sample.db"), pg_cluster.create_database("sample_one"),
                      pg_cluster.create_database("sample_two"))
    write(lite, done)
    write(one, done)
    detente.open(two).close()
    writers = [threading.Thread(target=write, args=(two, done[i::2])) for i in (0, 1)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    expected = contents(lite)
    assert expected["counts"]["events"] > 0
    assert contents(one) == expected
    assert contents(two) == expected
