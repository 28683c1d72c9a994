"""Near-duplicate clusters and cross-article event merging."""

from __future__ import annotations

from pathlib import Path

import pytest

import detente
from detente.store import dedup
from ingest_helpers import STORY, event, result

REWRITE = STORY.replace("officials said", "local officials said").replace("Tuesday", "Tuesday morning")
OTHER = (
    "The central bank of Brazil raised its benchmark interest rate by half a point on Wednesday, "
    "citing persistent inflation in food and energy prices. Economists had expected the move, and "
    "markets in Sao Paulo closed slightly higher after the announcement by the bank's board, "
    "which said further increases were possible if prices kept rising through the winter."
)


@pytest.fixture()
def db(tmp_path: Path) -> detente.Database:
    return detente.open(tmp_path / "t.db")


def test_signatures_estimate_jaccard_similarity() -> None:
    assert dedup.similarity(dedup.signature(STORY), dedup.signature(STORY)) == 1.0
    assert dedup.similarity(dedup.signature(STORY), dedup.signature(REWRITE)) >= dedup.SIMILAR
    assert dedup.similarity(dedup.signature(STORY), dedup.signature(OTHER)) < 0.2
    assert len(dedup.band_keys(dedup.signature(STORY))) == dedup.BANDS


def test_shingles_of_a_short_text_are_the_text() -> None:
    assert dedup.shingles("Two words") == {"two words"}
    assert dedup.shingles("") == set()


def test_copies_under_other_urls_and_headlines_are_one_cluster_with_shared_events(
    db: detente.Database,
) -> None:
    shared = [event("ASSAULT", "RUS", "UKR", "2022-05-10"), event("CONSULT", "FRA", "RUS", "2022-05-10")]
    first = db.add(result("wire", STORY, title="Russia shells Kharkiv", url="https://wire.example/a",
                          published="2022-05-10", events=shared))
    copy = db.add(result("copy", REWRITE, title="Kharkiv hit as Paris talks fail",
                         url="https://paper.example/b", published="2022-05-10", events=shared))
    assert first is not None and copy is not None
    assert copy.cluster_id == first.cluster_id
    assert (copy.new_events, copy.merged_events) == (0, 2)
    events = db.events()
    assert len(events) == 2
    assert list(events["num_articles"]) == [2, 2]
    assert list(events["num_mentions"]) == [2, 2]
    sources = db.event_sources(type="ASSAULT")
    assert sorted(sources["url"]) == ["https://paper.example/b", "https://wire.example/a"]
    assert db.counts()["clusters"] == 1


def test_an_unrelated_article_starts_its_own_cluster(db: detente.Database) -> None:
    a = db.add(result("a", STORY))
    b = db.add(result("b", OTHER))
    assert a is not None and b is not None and a.cluster_id != b.cluster_id


def test_one_event_in_unrelated_articles_a_day_apart_is_stored_once(db: detente.Database) -> None:
    db.add(result("a", STORY, events=[event("ASSAULT", "RUS", "UKR", "2022-05-10")]))
    db.add(result("b", OTHER, events=[event("ASSAULT", "RUS", "UKR", "2022-05-11")]))
    events = db.events()
    assert len(events) == 1 and events["num_articles"][0] == 2


@pytest.mark.parametrize(
    "other",
    [
        event("ASSAULT", "RUS", "UKR", "2022-05-13"),  # three days later
        event("ASSAULT", "RUS", "GEO", "2022-05-10"),  # another recipient
        event("COERCE", "RUS", "UKR", "2022-05-10"),  # another type
        event("ASSAULT", "BLR", "UKR", "2022-05-10"),  # another actor
    ],
)
def test_different_events_stay_apart(db: detente.Database, other: detente.Event) -> None:
    db.add(result("a", STORY, events=[event("ASSAULT", "RUS", "UKR", "2022-05-10")]))
    db.add(result("b", OTHER, events=[other]))
    assert len(db.events()) == 2


def test_uncoded_or_undated_events_merge_only_within_a_story(db: detente.Database) -> None:
    db.add(result("a", STORY, events=[event("ASSAULT", None, None, None)]))
    db.add(result("b", OTHER, events=[event("ASSAULT", None, None, None)]))
    db.add(result("c", REWRITE, url="other", events=[event("ASSAULT", None, None, None)]))
    events = db.events()
    assert sorted(events["num_articles"]) == [1, 2]
