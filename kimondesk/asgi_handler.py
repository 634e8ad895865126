"""Django's HTTP handling under ASGI with one hand-off to the request thread, not one per
middleware.

Django's own ``ASGIHandler`` builds the middleware chain in async mode: every middleware that
has async support but runs sync hooks (``MiddlewareMixin``: sessions, CSRF, auth, messages, …)
and every switch between async and sync middleware hands the request to the sync thread and
back again, about twenty hand-offs per request here, each waking the event loop. Every view and
middleware of this project is synchronous, so this handler builds the chain in sync mode (as
under WSGI and in the test client) and runs it in the thread-sensitive sync thread in one
hand-off. Reading the body, streaming the response, client disconnects and the request
signals stay Django's own (``ASGIHandler.handle``).
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase


class SyncChainASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        # ``get_response`` sets the URLconf, runs the chain, logs 4xx/5xx and registers the
        # request's closing, as ``get_response_async`` does for an async chain.
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
