from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    # API throttle history lives in the cache (Redis on the PostgreSQL run): start with none.
    cache.clear()
    yield
    cache.clear()
