"""The browser inbox: server-rendered pages, their static files, the live event stream, and the
control endpoints the inbox adds. ``routes`` is everything, mounted by ``sandbox.app``."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from sandbox.api import control_events
from ui import api, pages
from ui.templating import STATIC

routes: list[BaseRoute] = [
    *control_events.routes,
    *api.routes,
    *pages.routes,
    Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
]

__all__ = ["routes"]
