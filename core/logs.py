"""Structured logs: fixed message text, details as key=value fields, never personal data."""

from __future__ import annotations

import logging

# Attributes every LogRecord has; anything else came from `extra=` and is printed as a field.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's coloured copy of the message
}


class FieldsFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
        if fields:
            line += " " + " ".join(f"{k}={v!r}" for k, v in sorted(fields.items()))
        return line


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(FieldsFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log prints raw paths, and ours carry phone numbers; api.access_log
    # logs the route template instead.
    logging.getLogger("uvicorn.access").disabled = True


class DropPersonalFields(logging.Filter):
    """Removes livekit's `lk.pii.*` record fields: a phone caller's identity carries their
    number (livekit-sip names them `sip_<number>`), and other such fields hold what was said."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name in [k for k in record.__dict__ if k.startswith("lk.pii.")]:
            del record.__dict__[name]
        return True


def drop_personal_fields() -> None:
    """Keep livekit's personal fields out of this process's logs (once per process)."""
    for name in ("livekit.agents", "livekit", "dtmf-inputs"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, DropPersonalFields) for f in logger.filters):
            logger.addFilter(DropPersonalFields())
