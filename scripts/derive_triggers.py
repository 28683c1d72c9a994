"""Derive candidate PLOVER event triggers from WordNet 3.0: src/detente/data/events/derived.yaml.

Build-time only (detente does not need WordNet or nltk at run time). Install the tools,
outside the project's requirements and lock files:

    apt-get install -y wordnet-base       # WordNet 3.0 dict files in /usr/share/wordnet
    .venv/bin/pip install nltk            # only its WordNet reader; nothing is downloaded

then run

    .venv/bin/python scripts/derive_triggers.py [--wordnet /usr/share/wordnet]

and commit the regenerated ``derived.yaml``. The loader (detente.nlp.events.lexicon)
merges its senses under the hand-written ones in ``triggers.yaml``.

Nothing here looks at gold data. For every hand-written VERB sense of a PLOVER type in
``TYPES`` (material and legal acts, and the verbal acts whose speech verbs WordNet files
under ``verb.communication``) that carries no syntactic constraint (no particle,
preposition, object, modifier, control, swap, state or negative weight: a constrained
sense only holds in a context a derived word would not keep), the script takes the
source verb's WordNet synsets among its first ``TOP_SENSES`` senses (WordNet orders senses
by frequency) whose lexicographer file fits the type (``VERB_FILES``), and derives

* verb synonyms: the other single-word lemmas of such a synset, kept only when the synset
  is among that word's own first ``TOP_SENSES`` verb senses, and its first sense when the
  word has more than ``MAX_SENSES`` verb senses (a frequent, unambiguous reading);
* event nouns: WordNet's derivationally related nouns of the source verb and of the kept
  synonyms in such a synset, kept only when the noun's synset is an act or event
  (``noun.act``/``noun.event``; ``noun.communication`` too for CONSULT and the verbal
  acts: "accusation"), not a person or artifact, and is among that noun's own first ``TOP_SENSES`` noun senses (first when it has more
  than ``MAX_SENSES``).

Words read by hand and left out are listed in ``REVIEWED_OUT`` with the reason.

A word derived with two different PLOVER types is dropped (ambiguous); a (lemma, pos)
the hand-written lexicon already has is never emitted. Each derived sense copies the
source sense's type, mode, ctx, cameo and rcpt, gets ``weight: -0.1`` and its provenance
in ``src``: the WordNet synset and the source lemma.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
EVENTS = HERE.parent / "src" / "detente" / "data" / "events"
TRIGGERS = EVENTS / "triggers.yaml"
OUT = EVENTS / "derived.yaml"

# PLOVER types whose triggers are material or legal acts (the ones WordNet's act nouns
# and verb synsets describe well), and the verb lexicographer files that fit each.
VERB_FILES: dict[str, frozenset[str]] = {
    "ASSAULT": frozenset({"verb.contact", "verb.competition", "verb.social"}),
    "COERCE": frozenset({"verb.contact", "verb.competition", "verb.social", "verb.possession"}),
    "PROTEST": frozenset({"verb.social", "verb.communication", "verb.motion"}),
    "SANCTION": frozenset({"verb.social", "verb.communication", "verb.possession"}),
    "MOBILIZE": frozenset({"verb.motion", "verb.social", "verb.competition"}),
    "RETREAT": frozenset({"verb.motion", "verb.social", "verb.possession", "verb.competition"}),
    "AID": frozenset({"verb.possession", "verb.social"}),
    "CONSULT": frozenset({"verb.communication", "verb.social"}),
    "COOPERATE": frozenset({"verb.social", "verb.possession"}),
    "CONCEDE": frozenset({"verb.communication", "verb.social", "verb.possession"}),
    # verbal acts: speech verbs and their event nouns ("accuse" -> "accusation")
    "ACCUSE": frozenset({"verb.communication", "verb.social"}),
    "REJECT": frozenset({"verb.communication", "verb.social"}),
    "REQUEST": frozenset({"verb.communication"}),
    "THREATEN": frozenset({"verb.communication"}),
    "SUPPORT": frozenset({"verb.communication", "verb.social"}),
    "AGREE": frozenset({"verb.communication", "verb.social", "verb.possession"}),
}
TYPES = frozenset(VERB_FILES)
NOUN_FILES = frozenset({"noun.act", "noun.event"})
NOUN_FILES_BY_TYPE = {t: NOUN_FILES | {"noun.communication"}
                      for t in ("CONSULT", "ACCUSE", "REJECT", "REQUEST", "THREATEN", "SUPPORT", "AGREE")}

TOP_SENSES = 2  # a synset must be among a word's first senses (WordNet: by frequency)
MAX_SENSES = 8  # a word with more senses than this only keeps its first sense
MAX_SYNONYM_SENSES = 4  # a verb synonym must be nearly monosemous
WEIGHT = -0.1
# Keys of a source sense that constrain it to a context (such a sense is not a source).
CONSTRAINTS = frozenset({"prt", "prep", "obj", "mod", "not_obj", "not_mod", "control", "swap",
                         "state", "ccomp_aux"})
COPIED = ("type", "mode", "ctx", "cameo", "rcpt")
# Derived words read by hand and left out, with the reason: their usual sense in news is
# another one than the synset the derivation went through.
REVIEWED_OUT = {
    "suit": "mostly clothing or 'follow suit'; the lawsuit sense is written as 'lawsuit'",
    "undermine": "figurative in news ('undermine democracy'), not sabotage",
    "penalty": "sport and 'death penalty' as a topic, more often than a sanction imposed",
    "investigating": "a gerund, not an event noun",
    "glorify": "'glorify terrorism' is an accusation, not praise",
}
WORD = re.compile(r"[a-z]+")

# lexnames(5WN): the lexicographer files in WordNet 3.0's order (Debian's wordnet-base
# lacks the ``lexnames`` file nltk's reader expects; the third column is the part of speech).
_LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute "
    "noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group "
    "noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant "
    "noun.possession noun.process noun.quantity noun.relation noun.shape noun.state "
    "noun.substance noun.time verb.body verb.change verb.cognition verb.communication "
    "verb.competition verb.consumption verb.contact verb.creation verb.emotion verb.motion "
    "verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl"
)
LEXNAMES = _LEXNAMES.split()
DICT_FILES = ("data.adj", "data.adv", "data.noun", "data.verb", "index.adj", "index.adv",
              "index.noun", "index.verb", "adj.exc", "adv.exc", "noun.exc", "verb.exc",
              "cntlist.rev")

HEADER = (
    "# Event triggers derived at build time by scripts/derive_triggers.py from WordNet 3.0;\n"
    "# GENERATED: do not edit by hand (change triggers.yaml or the script, then rerun).\n"
    "# Each sense copies a hand-written verb sense's type, mode, ctx, cameo and rcpt; src\n"
    "# names the WordNet synset and the source lemma. Written senses win over these.\n"
)


@dataclass(frozen=True)
class Derived:
    lemma: str
    pos: str  # "V" or "N"
    source: str
    synset: str
    rank: int  # the synset's rank among the derived word's own senses
    sense: dict[str, Any]  # the source sense


def open_wordnet(folder: Path, work: Path) -> Any:
    """nltk's WordNet reader on a copy of the dict files (plus the ``lexnames`` file)."""
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class Reader(WordNetCorpusReader):  # type: ignore[misc]
        def map_wn(self, version: str = "wordnet") -> None:  # plain WordNet 3.0: no mapping
            return None

    for name in DICT_FILES:
        shutil.copyfile(folder / name, work / name)  # nltk refuses paths outside its root
    numbers = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}
    (work / "lexnames").write_text(
        "".join(f"{i:02d}\t{n}\t{numbers[n.split('.')[0]]}\n" for i, n in enumerate(LEXNAMES)),
        encoding="utf-8",
    )
    nltk.data.path.append(str(work))
    return Reader(str(work), None)


def rank(wn: Any, word: str, pos: str, synset: Any, top: int = TOP_SENSES) -> int | None:
    """The synset's rank among ``word``'s senses; None unless it is among the first ``top``
    (the first alone when the word has more than ``MAX_SENSES``)."""
    synsets = wn.synsets(word, pos)
    if synset not in synsets:
        return None
    at = synsets.index(synset)
    if at >= top or (len(synsets) > MAX_SENSES and at > 0):
        return None
    return at


def count(synset: Any, word: str) -> int:
    """How often ``word`` was tagged with this sense in WordNet's sense-tagged corpus."""
    return sum(lemma.count() for lemma in synset.lemmas() if lemma.name() == word)


def mainly(wn: Any, word: str, pos: str) -> bool:
    """``word`` is mainly a ``pos`` ("v" or "n"): tagged at least as often as that part of
    speech as all others together (by sense count when it was never tagged)."""
    tags = {p: [count(s, word) for s in wn.synsets(word, p)] for p in ("n", "v", "a", "r")}
    this = sum(tags[pos])
    rest = sum(sum(c) for p, c in tags.items() if p != pos)
    if this or rest:
        return this >= rest
    return len(tags[pos]) >= sum(len(c) for p, c in tags.items() if p != pos)


def conflicts(synset: Any, type_: str, written: dict[str, list[dict[str, Any]]]) -> bool:
    """A lemma of the synset has hand-written verb senses, none of them of ``type_``:
    the hand-written lexicon reads this synset otherwise ("sanction" ~ "approve")."""
    for word in synset.lemma_names():
        verbs = [s for s in written.get(word, ()) if s["pos"] == "V"]
        if verbs and all(s["type"] != type_ for s in verbs):
            return True
    return False


def derive(wn: Any, written: dict[str, list[dict[str, Any]]]) -> list[Derived]:
    found: list[Derived] = []
    for lemma, senses in written.items():
        for sense in senses:
            if (sense["pos"] != "V" or sense["type"] not in TYPES
                    or CONSTRAINTS & set(sense) or sense.get("weight", 0.0) < 0):
                continue
            type_ = sense["type"]
            for synset in wn.synsets(lemma, "v")[:TOP_SENSES]:
                at = rank(wn, lemma, "v", synset)
                if (at is None or synset.lexname() not in VERB_FILES[type_]
                        or (at > 0 and count(synset, lemma) == 0)
                        or conflicts(synset, type_, written)):
                    continue
                # synonyms only of the source's dominant sense: its first, and more than
                # half of its tagged uses (or its only sense)
                uses = [count(s, lemma) for s in wn.synsets(lemma, "v")]
                dominant = at == 0 and (len(uses) == 1 or 2 * uses[0] > sum(uses))
                for other in synset.lemma_names():
                    if not dominant or other == lemma or not WORD.fullmatch(other):
                        continue
                    # the synonym's own first sense, attested (or its only sense)
                    # the synonym's own first sense, attested (or its only sense), of a word
                    # with few verb senses that is mainly a verb
                    n_senses = len(wn.synsets(other, "v"))
                    if (rank(wn, other, "v", synset, top=1) is not None
                            and n_senses <= MAX_SYNONYM_SENSES and mainly(wn, other, "v")
                            and (count(synset, other) > 0 or n_senses == 1)):
                        found.append(Derived(other, "V", lemma, synset.name(), 0, sense))
                noun_files = NOUN_FILES_BY_TYPE.get(type_, NOUN_FILES)
                for verb in synset.lemmas():
                    if verb.name() != lemma:
                        continue
                    for noun in verb.derivationally_related_forms():
                        nsyn = noun.synset()
                        if nsyn.pos() != "n" or nsyn.lexname() not in noun_files:
                            continue
                        if not WORD.fullmatch(noun.name()) or not mainly(wn, noun.name(), "n"):
                            continue
                        nat = rank(wn, noun.name(), "n", nsyn)
                        if nat is not None:
                            found.append(Derived(noun.name(), "N", lemma, nsyn.name(), nat, sense))
    return found


def select(found: list[Derived], written: dict[str, list[dict[str, Any]]]
           ) -> dict[str, list[Derived]]:
    """One derivation per (lemma, pos): the best-ranked; none where the types disagree."""
    have = {(lemma.lower(), s["pos"]) for lemma, senses in written.items() for s in senses}
    by_key: dict[tuple[str, str], list[Derived]] = {}
    for d in found:
        if (d.lemma, d.pos) not in have and d.lemma not in REVIEWED_OUT:
            by_key.setdefault((d.lemma, d.pos), []).append(d)
    chosen: dict[str, list[Derived]] = {}
    for (lemma, _pos), ds in sorted(by_key.items()):
        if len({d.sense["type"] for d in ds}) > 1:
            types = sorted({d.sense["type"] for d in ds})
            print(f"  dropped {lemma} ({_pos}): derived as {', '.join(types)}", file=sys.stderr)
            continue
        chosen.setdefault(lemma, []).append(min(ds, key=lambda d: d.rank))
    return chosen


_PLAIN = re.compile(r"[a-z][a-z0-9-]*")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str) and _PLAIN.fullmatch(value) and value not in _YAML_WORDS:
        return value
    return json.dumps(value)


def flow(d: Derived) -> str:
    fields = [f"pos: {d.pos}"]
    for key in COPIED:
        if key not in d.sense:
            continue
        value = d.sense[key]
        if key == "cameo":
            fields.append(f"cameo: {json.dumps(str(value))}")
        elif isinstance(value, list):
            fields.append(f"{key}: [{', '.join(scalar(v) for v in value)}]")
        else:
            fields.append(f"{key}: {scalar(value)}")
    fields.append(f"weight: {WEIGHT}")
    src = [f"wordnet:{d.synset}", f"from:{d.source}"]
    fields.append(f"src: [{', '.join(json.dumps(s) for s in src)}]")
    return "{" + ", ".join(fields) + "}"


def render(chosen: dict[str, list[Derived]]) -> str:
    if not chosen:
        return HEADER + "{}\n"
    lines = [HEADER.rstrip("\n"), ""]
    for lemma in sorted(chosen):
        lines.append(f"{scalar(lemma)}:")
        lines.extend(f"  - {flow(d)}" for d in sorted(chosen[lemma], key=lambda d: d.pos))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"),
                        help="WordNet 3.0 dict folder (Debian: wordnet-base)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    written: dict[str, list[dict[str, Any]]] = yaml.safe_load(TRIGGERS.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="wordnet-") as work:
        wn = open_wordnet(args.wordnet, Path(work))
        chosen = select(derive(wn, written), written)
    text = render(chosen)
    parsed = yaml.safe_load(text)  # the flow style must read back as what was meant
    assert parsed is not None and set(parsed) == set(chosen), "derived.yaml does not round-trip"
    args.out.write_text(text, encoding="utf-8")

    counts = Counter(d.sense["type"] for ds in chosen.values() for d in ds)
    print(f"{sum(counts.values())} senses for {len(chosen)} lemmas -> {args.out}")
    for type_ in sorted(TYPES):
        print(f"  {type_:<10} {counts.get(type_, 0)}")
    for lemma in sorted(chosen):
        for d in chosen[lemma]:
            print(f"  {lemma} {d.pos} {d.sense['type']}/{d.sense.get('mode')} "
                  f"<- {d.source} ({d.synset})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
