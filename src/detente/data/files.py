"""Every YAML, JSON, TSV and CSV file under ``detente/data/`` and the shape it declares.

A data file is read only through :mod:`detente.data`, which checks it against its entry
here: add a new file here first (tests/test_data_files.py fails for a file without one).
"""

from __future__ import annotations

import logging

from ..model import PLOVER_TYPES
from .shapes import (
    Anything,
    Flag,
    Integer,
    ListOf,
    Literal,
    MapOf,
    Maybe,
    Number,
    OneOf,
    Pattern,
    Record,
    Row,
    Shape,
    Table,
    Text,
    Words,
)

logger = logging.getLogger(__name__)


def _records(*names: str) -> dict[str, Shape]:
    return {name: Words() for name in names}


# -- time ---------------------------------------------------------------------------------

TIME_LEXICON = Record({
    "months": MapOf(Integer()),
    "weekdays": MapOf(Integer()),
    "seasons": MapOf(Text()),
    "season_start_month": MapOf(Integer()),
    "numbers": MapOf(OneOf((Integer(), Literal(("X",))))),  # X: a vague quantity ("few")
    "units": MapOf(Text()),
    "ordinals": MapOf(Integer()),
    "refs": MapOf(Text()),
    "holidays_fixed": MapOf(Row((Integer(), Integer()))),
    "holidays_nth": MapOf(Row((Integer(), Integer(), Integer()))),
    "holidays_easter": MapOf(Integer()),
    "decade_words": MapOf(Integer()),
    "day_parts": MapOf(Text()),
    "deictic_day_parts": MapOf(Row((Integer(), Text()))),
    "day_ordinals": MapOf(Integer()),
    "set_adverbs": MapOf(Text()),
    "day_offsets": MapOf(Integer()),
    **_records(
        "future_lemmas", "future_aux", "suffixed_day_parts", "time_zones", "trim_words",
        "hedges", "modals", "plan_verbs", "future_participles", "stative_verbs",
        "for_participles", "forward_words", "since_words", "directive_verbs",
        "future_clause_marks", "until_words", "earnings_words", "multi_quarter_periods",
        "set_quantifiers", "relative_next", "relative_last", "relative_this", "anaphoric_shifts",
    ),
})

# -- extraction ---------------------------------------------------------------------------

TEXTDUMP = Record({
    **_records("stopwords", "chrome_words", "chrome_lines"),
    "credit_patterns": ListOf(Pattern()),
})

# -- mentions (shared by the stages) ------------------------------------------------------

PRONOUNS = Record({
    "features": MapOf(Record({
        "gender": Literal(("m", "f", "n", "x")),
        "number": Literal(("sg", "pl")),
        "person": Integer(),
    })),
    **_records("person", "group", "first_person_plural", "possessive", "relative_subjects",
               "relative_objects"),
})

# -- quotes -------------------------------------------------------------------------------

QUOTE_CUES = Record({
    **_records(
        "speech", "cognition", "naming", "phrasal", "according", "citing", "content_preps",
        "nonspeaker_subjects", "directive", "np_object", "characterise", "nominal", "attitude",
        "evidential", "source_nouns", "frame_only", "aside_stops", "gloss_relatives",
        "concessive", "as_clause_preps",
    ),
    "prep_cues": MapOf(Words(nonempty=True)),
})

SPEAKERS = Record({
    "titles": Record({"m": Words(), "f": Words()}),
    "roles": Words(),
    "first_names": Record({"m": Words(), "f": Words()}),
})

# -- events -------------------------------------------------------------------------------

EVENT_CUES = Record(_records(
    "light_verbs", "announce_verbs", "transparent_verbs", "transparent_objects",
    "threat_promises", "report_verbs", "report_preps", "report_advs", "claim_verbs",
    "claim_advs", "claim_adjs", "deny_verbs", "negation_words", "negation_verbs",
    "hypothetical_aux", "hypothetical_marks", "hypothetical_nouns", "hypothetical_verbs",
    "future_aux", "future_verbs", "future_adjs", "future_nouns", "non_agents", "group_nouns",
    "people_nouns", "place_nouns", "audience_nouns", "default_rcpt", "location_preps",
    "object_control", "stative_passives", "quantity_nouns", "people_counts", "people_suffixes",
    "owner_preps", "place_preps", "locative_preps", "mobilize_rcpt", "noun_rcpt",
    "complement_rcpt", "scene_preps", "response_verbs", "background_preps", "threat_modals",
    "announce_modals", "channel_preps", "phone_words", "violence_words", "claim_nouns",
    "hypothetical_preps", "generic_heads", "setting_preps", "date_preps", "appearance_verbs",
    "appearance_preps", "natural_causes", "campaign_nouns", "follower_nouns", "transitive_acts",
    "security_nouns", "topic_nouns", "topic_preps",
))

SENSE = Record(
    {"pos": Literal(("V", "N", "A")), "type": Literal(PLOVER_TYPES), "cameo": Text()},
    optional={
        "mode": Maybe(Text()),
        "ctx": Words(),
        "prt": Words(),
        "prep": Words(),
        "obj": Words(),
        "mod": Words(),
        "not_obj": Words(),
        "not_mod": Words(),
        "no_deps": Words(),
        "needs_light": Flag(),
        "src": Words(),
        "rcpt": Words(),
        "subj": Words(),  # the subject heads a sense needs (Sense.subj)
        "ccomp_aux": Words(),
        "control": Flag(),
        "swap": Flag(),
        "state": Row((Literal(PLOVER_TYPES), Maybe(Text()))),
        "weight": Number(),
    },
    what="a sense (a mapping with pos, type and cameo)",
)

TRIGGERS = MapOf(ListOf(SENSE, nonempty=True))

SCORES = Record({
    **{t: Record({"type": Number()}, optional={"modes": MapOf(Number())}) for t in PLOVER_TYPES},
    "complement_modes": MapOf(MapOf(Text())),
    "threaten_coerce_modes": MapOf(Text()),
})

# -- codebook (actors) --------------------------------------------------------------------

SECTORS = Record({
    "generic": MapOf(Maybe(Text())),  # null: a head that fixes no sector
    "words": MapOf(Text()),
    "phrases": MapOf(Text()),
    "sponsor_markers": Record({"before": Words(), "after": Words()}),
})

ROLES = Record({
    "offices": MapOf(Words(nonempty=True)),
    "country_specific": MapOf(Record({"office": Text(), "countries": Words(nonempty=True)})),
})

LINKING = Record(_records("no_pattern", "articles", "demonstratives", "locative_preps"))


def _tsv(*columns: str, required: tuple[str, ...] = (), dates: tuple[str, ...] = ()) -> Table:
    return Table(columns, required=frozenset(required), dates=frozenset(dates))


# -- the registry -------------------------------------------------------------------------

FILES: dict[str, Shape | Table] = {
    "time/lexicon.yaml": TIME_LEXICON,
    "extract/textdump.yaml": TEXTDUMP,
    "mentions/pronouns.yaml": PRONOUNS,
    "quotes/cues.yaml": QUOTE_CUES,
    "quotes/speakers.yaml": SPEAKERS,
    "events/cues.yaml": EVENT_CUES,
    "events/triggers.yaml": TRIGGERS,
    "events/derived.yaml": TRIGGERS,
    "events/scores.yaml": SCORES,
    "codebook/sectors.yaml": SECTORS,
    "codebook/roles.yaml": ROLES,
    "codebook/linking.yaml": LINKING,
    "codebook/states.tsv": _tsv("code", "name", "names", "adjectives", "demonyms", "capitals",
                                required=("code", "name")),
    "codebook/places.tsv": _tsv("name", "code", required=("name", "code")),
    "codebook/ethnic.tsv": _tsv("name", "code", required=("name", "code")),
    "codebook/metonyms.tsv": _tsv("text", "code", "sector", "name",
                                  required=("text", "code", "name")),
    "codebook/organisations.tsv": _tsv("code", "kind", "sector", "name", "aliases",
                                       required=("code", "kind", "name")),
    "codebook/media.tsv": _tsv("code", "name", "aliases", required=("code", "name")),
    "codebook/people.tsv": _tsv("name", "aliases", "office", "country", "sector", "start", "end",
                                required=("name", "office", "country"), dates=("start", "end")),
    "store/goldstein.tsv": Table(("CAMEOEVENTCODE", "GOLDSTEINSCALE"), comments=False,
                                 required=frozenset({"CAMEOEVENTCODE"}),
                                 numbers=frozenset({"GOLDSTEINSCALE"})),
    "store/plover_cameo.csv": Table(("type", "cameo"), delimiter=",",
                                    required=frozenset({"type", "cameo"})),
    # A JSON Schema document: its own meta-schema checks the inside.
    "result.schema.json": Record({
        "$schema": Text(), "$id": Text(), "title": Text(), "description": Text(),
        "oneOf": Anything(), "$defs": MapOf(Anything()),
    }),
}
