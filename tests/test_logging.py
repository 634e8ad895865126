import json
import logging

from kimondesk.logging import JsonFormatter


def test_json_formatter_writes_one_object_with_extra_fields():
    record = logging.makeLogRecord(
        {
            "name": "escalations",
            "levelname": "INFO",
            "msg": "escalated #%s",
            "args": (12,),
            "ticket": 12,
        }
    )

    line = JsonFormatter().format(record)

    entry = json.loads(line)
    assert (entry["logger"], entry["level"], entry["message"], entry["ticket"]) == (
        "escalations",
        "INFO",
        "escalated #12",
        12,
    )
    assert "\n" not in line


def test_production_settings_log_json_by_default(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kimondesk.settings.production",
        "SECRET_KEY": "p" * 20 + "roduction-secret-key-with-enough-entropy-0123456789",
    }
    env.pop("LOG_FORMAT", None)
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('kimondesk.check').warning('hello %s', 'there')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )

    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert (entry["logger"], entry["level"], entry["message"]) == (
        "kimondesk.check",
        "WARNING",
        "hello there",
    )


def test_the_task_cluster_logs_warnings_only_by_default():
    from kimondesk.logging import logging_config

    assert logging_config(fmt="plain", level="INFO")["loggers"]["django-q"] == {"level": "WARNING"}
    assert logging.getLogger("django-q").getEffectiveLevel() == logging.WARNING
