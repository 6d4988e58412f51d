"""The browser inbox: server-rendered pages and their static files. ``routes`` is everything,
mounted by ``sandbox.app``; what the pages do goes through the control API (``sandbox.asgi``)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from ui import chaos, handsets, pages
from ui.templating import STATIC

routes: list[BaseRoute] = [
    *pages.routes,
    *handsets.routes,
    *chaos.routes,
    Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
]

__all__ = ["routes"]
