"""Text-dump extraction: body selection, captions, bylines, categories, dates (no gold data)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from detente.extract.dates import find_dates, find_mentions, relative_weekdays, weekday_fit
from detente.extract.lines import best_window, feature_names, line_features, window_means
from detente.extract.meta import read_meta, split_caption
from detente.extract.textdump import bridge_gaps, extract_textdump, select_body, split_lines


def test_split_lines_drops_blank_lines_and_collapses_space() -> None:
    assert split_lines("a  b\n\n\n c\t\td \r\n") == ["a b", "c d"]


def test_line_features_shape() -> None:
    lines = ["Home", "News", "A long sentence that reads like prose and ends with a period."]
    features = line_features(lines)
    assert features.shape == (3, len(feature_names()))
    assert line_features([]).shape == (0, len(feature_names()))


def test_window_means_exclude_self() -> None:
    assert window_means(np.array([1.0, 0.0, 1.0]), 1).tolist() == [0.0, 1.0, 0.0]


def test_best_window() -> None:
    assert best_window([-1.0, 2.0, -0.5, 2.0, -3.0]) == (1, 3)
    assert best_window([-1.0, -2.0]) == (-1, -1)


def test_select_body_falls_back_to_best_run() -> None:
    probs = np.array([0.1, 0.3, 0.35, 0.05])
    lines = ["x", "some words here now", "more words in this line", "y"]
    assert select_body(probs, lines) == [1, 2]


def test_select_body_bridges_short_gaps_between_body_lines() -> None:
    probs = np.array([0.9, 0.3, 0.25, 0.8, 0.1, 0.9, 0.3, 0.3, 0.3, 0.7, 0.05])
    lines = [f"line {i}" for i in range(len(probs))]
    # 1-2 join (two lines, both >= 0.2); 4 stays out (0.1); 6-8 stay out (three lines)
    assert select_body(probs, lines) == [0, 1, 2, 3, 5, 9]


def test_bridge_gaps_keeps_single_and_adjacent_lines() -> None:
    probs = np.array([0.9, 0.9, 0.2, 0.9])
    assert bridge_gaps([3], probs) == [3]
    assert bridge_gaps([0, 1, 3], probs) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("line", "text", "credit"),
    [
        ("Soldiers train on Friday, Jan. 28, 2022. (AP Photo/Jane Doe)",
         "Soldiers train on Friday, Jan. 28, 2022.", "AP Photo/Jane Doe"),
        ("Photo: John Roe, Agency", "", "Photo: John Roe, Agency"),
        ("Crowds gather outside.Credit...Jane Doe/Some Paper", "Crowds gather outside.",
         "Credit...Jane Doe/Some Paper"),
        ("A man walks past a bank. AGENCY/John Roe", "A man walks past a bank.", "AGENCY/John Roe"),
        ("Smoke rises over the city (Jane Doe/Getty Images)", "Smoke rises over the city",
         "Jane Doe/Getty Images"),
    ],
)
def test_split_caption(line: str, text: str, credit: str) -> None:
    caption = split_caption(line)
    assert caption is not None
    assert caption.text == text
    assert caption.credit == credit


def test_plain_sentence_is_not_a_caption() -> None:
    assert split_caption("He said the photo of the event was widely shared on Friday.") is None


def test_bylines_bio_categories_and_captions_leave_the_body() -> None:
    lines = [
        "Daily Planet Daily Planet",
        "Mayor opens the new bridge",
        "By Jane Doe and John Roe",
        "(DP) — The mayor opened the bridge on Tuesday, ending years of delays and disputes.",
        "A ribbon is cut at the bridge on Tuesday, May 7, 2019. (AP Photo/Ann Poe)",
        "The bridge carries two lanes of traffic and a path for walkers and cyclists alike.",
        "Daily Planet reporter Jane Doe is based in Metropolis.",
        "Categories / City, Transport",
    ]
    meta = read_meta(lines, [3, 4, 5, 6, 7])
    assert meta.title == "Mayor opens the new bridge"
    assert meta.authors == ["Jane Doe", "John Roe"]
    assert meta.publisher == "Daily Planet"
    assert meta.categories == ["City", "Transport"]
    assert meta.captions[0].credit == "AP Photo/Ann Poe"
    assert meta.body == [3, 5]


def test_find_mentions_with_weekday() -> None:
    (mention,) = find_mentions("on Friday, Jan. 28, 2022.")
    assert mention.value == date(2022, 1, 28)
    assert mention.weekday_ok is True
    (wrong,) = find_mentions("Monday, Jan. 28, 2022")
    assert wrong.weekday_ok is False
    assert find_mentions("19 November 2019, 09:01")[0].value == date(2019, 11, 19)


def test_weekday_fit_prefers_candidates_just_after_mentions() -> None:
    weekdays = relative_weekdays(["On Friday he spoke.", "On Wednesday they met."])
    assert weekdays == [4, 2]
    assert weekday_fit(date(2022, 1, 28), weekdays) > weekday_fit(date(2022, 1, 26), weekdays)


def test_story_date_beats_banner() -> None:
    lines = [
        "Friday, December 8, 2023 | Back issues",
        "Headline about a meeting",
        "The leaders met on Friday and talked for an hour about the crisis in the region.",
    ]
    dates = find_dates(lines, [2], ["Troops train on Friday, Jan. 28, 2022."], title_index=1)
    assert dates.page_date == date(2023, 12, 8)
    assert dates.published == date(2022, 1, 28)
    assert dates.evidence and "caption" in dates.evidence


def test_banner_only_gives_page_date_as_fallback() -> None:
    lines = ["March 3, 2020", "Headline", "Some story text that goes on for a while here."]
    dates = find_dates(lines, [2], [], title_index=1)
    assert dates.published == date(2020, 3, 3)
    assert dates.evidence and "page date" in dates.evidence


@pytest.mark.parametrize("text", ["", "\n\n", "x", "Home\nNews\nSports", "日本語のテキスト。" * 50])
def test_odd_input_never_crashes(text: str) -> None:
    article = extract_textdump(text)
    assert isinstance(article.body, str)
    if text.strip():
        assert article.body
