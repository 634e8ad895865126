"""Settings of the floor app: KimonDesk's database settings, nothing else."""

from __future__ import annotations

import os

from kimondesk.settings.base import DATABASES as KIMONDESK_DATABASES

DATABASES = KIMONDESK_DATABASES
SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.floor.urls"
USE_TZ = True
TIME_ZONE = "UTC"
