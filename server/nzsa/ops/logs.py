"""Logs: one line per request (ACCESS_LOG) and the server's own messages, as text or JSON.

Every line written while a request is served carries its request id: the client's
`X-Request-Id` when it sent a plausible one, else one the gateway made (and sends back).
LOG_FORMAT=json writes each line as one JSON object, for log collectors.
"""

from __future__ import annotations

import contextvars
import json
import logging
import logging.config
import time
from typing import Any

from .observe import Observer

# The id of the request the current thread serves (set by the gateway around the app).
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
ACCESS = "nzsa.access"
# Loggers of the servers' own messages, written the same way as ours.
SERVER_LOGGERS = ("_granian", "gunicorn.error")


class WithRequestId(logging.Filter):
    """Add the id of the request being served, if any, to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id and any fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", None):
            entry["request_id"] = record.request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`[LEVEL] message`, and the request id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"[{record.levelname}] {record.getMessage()}"
        if getattr(record, "request_id", None) and record.name != ACCESS:
            line += f" (request {record.request_id})"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def dict_config(settings: dict[str, Any]) -> dict[str, Any]:
    """The logging configuration for LOG_FORMAT and ACCESS_LOG (logging.config.dictConfig)."""
    formatter = JsonFormatter if settings["LOG_FORMAT"] == "json" else TextFormatter
    handlers: dict[str, Any] = {
        "console": {"class": "logging.StreamHandler", "formatter": "nzsa",
                    "stream": "ext://sys.stderr", "filters": ["request_id"]},
    }  # fmt: skip
    access_log = settings["ACCESS_LOG"]
    if access_log == "-":
        handlers["access"] = {"class": "logging.StreamHandler", "formatter": "nzsa",
                              "stream": "ext://sys.stdout"}  # fmt: skip
    elif access_log:
        handlers["access"] = {"class": "logging.FileHandler", "formatter": "nzsa",
                              "filename": access_log}  # fmt: skip
    loggers: dict[str, Any] = {
        name: {"handlers": ["console"], "level": "INFO", "propagate": False}
        for name in ("nzsa", *SERVER_LOGGERS)
    }
    loggers[ACCESS] = {"handlers": ["access"] if "access" in handlers else [],
                       "level": "INFO" if "access" in handlers else "CRITICAL",
                       "propagate": False}  # fmt: skip
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": WithRequestId}},
        "formatters": {"nzsa": {"()": formatter}},
        "handlers": handlers,
        "loggers": loggers,
    }


def configure(settings: dict[str, Any]) -> None:
    """Apply the logging configuration in this process."""
    logging.config.dictConfig(dict_config(settings))


class AccessLog(Observer):
    """Write a line for every request answered."""

    def __init__(self, settings: dict[str, Any]):
        self.logger = logging.getLogger(ACCESS)
        self.json = settings["LOG_FORMAT"] == "json"

    def finished(self, scope: dict, ticket, request_id: str, status: int, sent: int) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        query = scope.get("query_string", b"").decode("latin-1")
        path = scope["path"] + ("?" + query if query else "")
        client = (scope.get("client") or ("-", 0))[0]
        took = (time.monotonic() - ticket.arrived) * 1000
        fields = {"method": scope["method"], "path": path, "status": status, "bytes": sent,
                  "duration_ms": round(took, 3), "queued_ms": round(ticket.waited * 1000, 3),
                  "lane": ticket.lane, "client": client, "ran": ticket.ran}  # fmt: skip
        if self.json:
            message = f"{scope['method']} {path} {status}"
        else:
            message = (f'{client} - "{scope["method"]} {path} HTTP/{scope.get("http_version")}" '
                       f"{status} {sent} {took:.3f}ms lane={ticket.lane} "
                       f"queued={ticket.waited * 1000:.1f}ms id={request_id}")  # fmt: skip
        self.logger.info(message, extra={"fields": fields, "request_id": request_id})
