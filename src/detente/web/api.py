"""``/api/...``: each page's data as JSON, documented by ``/openapi.json``.

The routes call the same views as the HTML pages; what a page shows, its API returns.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from . import views
from .stores import Store

logger = logging.getLogger(__name__)

By = Literal["day", "week", "month"]
Json = dict[str, Any]


class SearchQuery(BaseModel):
    """What ``/search`` and ``/api/search`` take: the text, the filters and the page."""

    q: str = Field("", max_length=500, description="words that must all occur (titles, bodies, quotes)")
    actor: str = Field("", max_length=16, description="actor code of the events (RUS, USA, NATO)")
    recipient: str = Field("", max_length=16, description="recipient code of the events")
    type: str = Field("", max_length=16, description="PLOVER event type (ASSAULT, CONSULT, ...)")
    quad: int | None = Field(None, ge=1, le=4, description="quad class: 1-4")
    since: str = Field("", max_length=10, description="first date, YYYY-MM-DD")
    until: str = Field("", max_length=10, description="last date, YYYY-MM-DD")
    factual: bool = Field(False, description="only events reported as happening")
    page: int = Field(1, ge=1, le=10_000, description="page number, from 1")

    def to_params(self) -> views.SearchParams:
        return views.SearchParams(**self.model_dump())


def router(store: Store) -> APIRouter:
    """The JSON routes over ``store``."""
    api = APIRouter(prefix="/api", tags=["api"])

    @api.get("/home", summary="This week's alerts, movers, busiest dyads and latest stories")
    def home() -> Json:
        return views.jsonable(views.home(store))  # type: ignore[no-any-return]

    @api.get("/search", summary="Stories, quotes and events matching text and filters, one page")
    def search(params: SearchQuery = Query()) -> Json:  # noqa: B008
        return views.jsonable(views.search(store, params.to_params()))  # type: ignore[no-any-return]

    @api.get("/article/{article_id}", summary="A story with its annotations, events and copies")
    def article(article_id: int) -> Json:
        return views.jsonable(views.article(store, article_id))  # type: ignore[no-any-return]

    @api.get("/actor/{code}", summary="Who an actor acts on and is acted on by, its quotes")
    def actor(code: str) -> Json:
        return views.jsonable(views.actor(store, code))  # type: ignore[no-any-return]

    @api.get("/dyad/{actor}/{recipient}", summary="A dyad's series, alerts and one period's evidence")
    def dyad(actor: str, recipient: str, by: By = "week", period: str | None = None,
             all_modalities: bool = False) -> Json:
        data = views.dyad(store, actor, recipient, by, period, not all_modalities)
        return views.jsonable(data)  # type: ignore[no-any-return]

    @api.get("/day/{day}", summary="The stories published on a day, with events and quotes")
    def day(day: str) -> Json:
        return views.jsonable(views.day(store, day))  # type: ignore[no-any-return]

    @api.get("/digest/{week}", summary="The weekly digest of an ISO week (YYYY-Www)")
    def digest(week: str) -> Json:
        return views.jsonable(views.digest(store, week))  # type: ignore[no-any-return]

    return api
