"""The web app: ``create_app(db_path)`` gives an ASGI app (FastAPI) over a read-only store.

HTML pages are rendered on the server with Jinja2 (autoescaping on: news pages are
hostile input); ``/api/...`` returns the same data as JSON, described by
``/openapi.json``. No page loads anything from elsewhere: one local stylesheet, charts
as inline SVG, no script.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from .. import __version__
from ..errors import DetenteError
from ..model import QUAD
from ..store import pages
from . import api, insight, views
from .chart import Column, series_svg
from .security import SecurityHeaders
from .stores import Store
from .story import marked

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
QUADS = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}


def templates() -> Environment:
    """The page templates; every value is escaped unless marked safe by detente itself."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(quads=QUADS, quad_of=QUAD, version=__version__)
    env.globals["marked"] = marked
    env.filters["hits"] = hits
    env.filters["num"] = number
    return env


def number(value: Any, digits: int = 1) -> str:
    """A score for people: rounded; empty for none or NaN."""
    if value is None or value != value:
        return ""
    return f"{float(value):.{digits}f}"


def hits(snippet: str | None) -> Markup:
    """A search snippet escaped, with the words the search matched in ``<mark>``."""
    text = str(escape(snippet or ""))
    return Markup(text.replace(pages.HIT_OPEN, '<mark class="hit">').replace(pages.HIT_CLOSE, "</mark>"))


def dyad_chart(data: dict[str, Any]) -> Markup:
    """The dyad's series as SVG, each column linking to its period's evidence."""
    chosen = (data.get("period") or {}).get("label")
    extra = "" if data["factual"] else "&all_modalities=true"
    columns = [
        Column(p["period"], p["conflict"], p["cooperation"],
               f"?by={data['by']}&period={quote(p['period'])}{extra}#evidence", p.get("alert"),
               p["period"] == chosen)
        for p in data["series"]
    ]
    return series_svg(columns, f"{data['actor']} to {data['recipient']}, events per {data['by']}")


def create_app(db_path: str | Path, *, allowed_hosts: Sequence[str] | None = None) -> FastAPI:
    """The app over the store at ``db_path`` (opened read-only; a clear error if unusable).

    ``allowed_hosts``: Host header values to answer (DNS-rebinding guard for a server on
    loopback); None answers any.
    """
    store = Store(db_path)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        insight.office_holders("")  # load the codebook before the first request needs it
        threading.Thread(target=lambda: insight.warm(store, views.warm_up(store)), daemon=True,
                         name="detente-web-warm").start()
        yield
        store.close()

    app = FastAPI(
        title="detente", version=__version__, lifespan=lifespan,
        description="News stories, their actors, quotes and events, read-only. "
                    "Every /api route returns JSON; HTML pages live at the same paths without /api.",
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    app.state.store = store
    app.state.templates = templates()
    _add_error_handlers(app)
    _add_pages(app)
    app.include_router(api.router(store))
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(SecurityHeaders)
    return app


# -- rendering -----------------------------------------------------------------------

def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    env: Environment = request.app.state.templates
    html = env.get_template(name).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)


def _error_page(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return JSONResponse({"error": message, "status": status}, status_code=status)
    return render(request, "error.html.j2", status, status=status, message=message)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(views.NotFound)
    async def not_found(request: Request, exc: views.NotFound) -> Response:
        return _error_page(request, 404, str(exc))

    @app.exception_handler(DetenteError)
    async def bad_request(request: Request, exc: DetenteError) -> Response:
        return _error_page(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ())[1:]) or 'request'}: {err.get('msg')}"
            for err in exc.errors()
        )
        return _error_page(request, 400, f"this address has a bad value ({problems})")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = "no such page: start from the home page or /search" if exc.status_code == 404 \
            else str(exc.detail)
        return _error_page(request, exc.status_code, message)


# -- the HTML pages ------------------------------------------------------------------

def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _add_pages(app: FastAPI) -> None:
    get = app.get

    @get("/", include_in_schema=False, response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return render(request, "home.html.j2", data=views.home(_store(request)))

    @get("/search", include_in_schema=False, response_class=HTMLResponse)
    def search(request: Request, params: api.SearchQuery = Query()) -> HTMLResponse:  # noqa: B008
        data = views.search(_store(request), params.to_params())
        return render(request, "search.html.j2", data=data, filters=params)

    @get("/article/{article_id}", include_in_schema=False, response_class=HTMLResponse)
    def article(request: Request, article_id: int) -> HTMLResponse:
        return render(request, "article.html.j2", data=views.article(_store(request), article_id))

    @get("/actor/{code}", include_in_schema=False, response_class=HTMLResponse)
    def actor(request: Request, code: str) -> HTMLResponse:
        return render(request, "actor.html.j2", data=views.actor(_store(request), code))

    @get("/dyad/{actor}/{recipient}", include_in_schema=False, response_class=HTMLResponse)
    def dyad(request: Request, actor: str, recipient: str, by: api.By = "week",
             period: str | None = None, all_modalities: bool = False) -> HTMLResponse:
        data = views.dyad(_store(request), actor, recipient, by, period, not all_modalities)
        return render(request, "dyad.html.j2", data=data, chart=dyad_chart(data))

    @get("/day/{day}", include_in_schema=False, response_class=HTMLResponse)
    def day(request: Request, day: str) -> HTMLResponse:
        return render(request, "day.html.j2", data=views.day(_store(request), day))

    @get("/day", include_in_schema=False, response_class=HTMLResponse)
    def latest_day(request: Request) -> Response:
        latest = _latest(request)
        return _redirect(f"/day/{latest}" if latest else "/")

    @get("/digest/{week}", include_in_schema=False, response_class=HTMLResponse)
    def digest(request: Request, week: str) -> HTMLResponse:
        return render(request, "digest.html.j2", data=views.digest(_store(request), week))

    @get("/digest", include_in_schema=False, response_class=HTMLResponse)
    def latest_digest(request: Request) -> Response:
        latest = _latest(request)
        return _redirect(f"/digest/{views.week_label(date.fromisoformat(latest))}" if latest else "/")

    @get("/static/style.css", include_in_schema=False)
    def style() -> FileResponse:
        return FileResponse(HERE / "static" / "style.css", media_type="text/css",
                            headers={"cache-control": "public, max-age=3600"})


def _latest(request: Request) -> str | None:
    latest = pages.latest_date(_store(request).conn())
    return latest[:10] if latest else None


def _redirect(url: str) -> Response:
    return Response(status_code=302, headers={"location": url})
