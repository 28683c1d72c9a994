"""Training labels of text-dump lines (benchmarks/train_lines.py), on made-up pages."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from train_lines import line_labels, site_of  # noqa: E402


def test_lines_match_the_gold_body_token_by_token() -> None:
    gold = "The carrier agreed to buy 30 of Boeing 's 787-9 jets on Monday, officials said."
    lines = ["Menu", "The carrier agreed to buy 30 of Boeing's 787-9 jets on Monday, officials said."]
    assert line_labels(lines, gold).tolist() == [0, 1]


def test_a_second_copy_of_the_story_is_not_body() -> None:
    gold = "First paragraph of the story goes here today.\nSecond paragraph of the story follows it."
    lines = [
        "First paragraph of the story goes here today.",
        "Second paragraph of the story follows it.",
        "Share",
        "First paragraph of the story goes here today. Second paragraph of the story follows it.",
    ]
    assert line_labels(lines, gold).tolist() == [1, 1, 0, 0]


def test_a_paragraph_repeated_in_the_gold_body_is_body_twice() -> None:
    gold = "We will fight on the beaches, he said.\nThen: we will fight on the beaches, he said."
    lines = ["We will fight on the beaches, he said.", "Then: we will fight on the beaches, he said."]
    assert line_labels(lines, gold).tolist() == [1, 1]


def test_lines_without_spaces_count_two_characters_a_word() -> None:
    gold = "先日、不正に改造した電話を販売したとして男性が逮捕されました。\n報道によると、今回販売されたのは改造品です。"
    lines = ["ホーム", "先日、不正に改造した電話を販売したとして男性が逮捕されました。",
             "報道によると、今回販売されたのは改造品です。"]
    assert line_labels(lines, gold).tolist() == [0, 1, 1]


def test_short_lines_are_body_only_inside_the_story() -> None:
    gold = "Results\nThe first long paragraph of the story has many words in it.\nTable\n" \
           "The last long paragraph of the story also has many words in it."
    lines = ["Results", "The first long paragraph of the story has many words in it.", "Table",
             "The last long paragraph of the story also has many words in it.", "Table"]
    assert line_labels(lines, gold).tolist() == [0, 1, 1, 1, 0]


def test_site_of() -> None:
    assert site_of("https://WWW.Example.com/a/b", "x") == "example.com"
    assert site_of(None, "x") == "page:x"
