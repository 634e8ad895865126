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
