"""Settings of the server the browser tests start: the test settings, with the content-type cache
emptied before every request.

The tests flush the database between tests while this server keeps running; content types come
back with new ids then, and the console's log entries would point at the ids the server cached
(a foreign-key error on save). A deployed server never sees its content types replaced.
"""

from kimondesk.settings.test import *  # noqa: F403
from kimondesk.settings.test import MIDDLEWARE

MIDDLEWARE = ["tests.browser.server_middleware.content_types_fresh", *MIDDLEWARE]
