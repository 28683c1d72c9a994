"""`detente ingest --feed/--url`: fetched pages go through the usual ingest, a URL stored
already is not fetched again, and loopback is refused unless ``--allow-private``.

The feed is served by a real HTTP server on 127.0.0.1 (``tests/test_fetch.py``'s ``site``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.cli import main
from detente.cliargs import EXIT_PARTIAL
from detente.ingest import workers
from detente.ingest.runner import IngestOptions, ingest
from detente.store import Database
from ingest_helpers import fake_analyzer
from test_fetch import Site, feed_site, opts, site  # noqa: F401 - site is a fixture


def test_ingest_fetches_a_feed_once(site: Site, tmp_path: Path,  # noqa: F811
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "_LOADED", None)
    feed = feed_site(site, count=3)
    options = IngestOptions(feeds=[feed], urls=[site.page("/extra", "an extra page")],
                            fetch=opts(), analyzer_factory=fake_analyzer, jobs=1, progress=False)
    with Database(tmp_path / "news.db") as db:
        first = ingest(options, db)
        assert (first.added, first.failed) == (4, 0)
        site.log.clear()
        again = ingest(options, db)
        assert (again.seen, again.added) == (0, 0)
        # Only the listing and robots.txt are asked for: no page is fetched twice.
        assert "/extra" not in site.paths() and not any(p.startswith("/story") for p in site.paths())


def test_cli_refuses_loopback_without_allow_private(site: Site, tmp_path: Path,  # noqa: F811
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    feed = feed_site(site, count=2)
    code = main(["ingest", "--db", str(tmp_path / "news.db"), "-q", "--feed", feed])
    err = capsys.readouterr().err
    assert code == EXIT_PARTIAL
    assert feed in err and "loopback" in err
    assert site.paths() == []  # not one request reached the server
    with Database(tmp_path / "news.db") as db:
        assert db.counts()["articles"] == 0
