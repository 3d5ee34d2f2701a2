"""Capture ERROR records from the ``discord`` logger.

discord.py swallows exceptions raised in event handlers and app commands and only logs
them, so tests would pass silently without this.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable


class DiscordLogCapture(logging.Handler):
    """A logging handler that records ERROR+ records of the ``discord`` logger tree."""

    def __init__(
        self, logger_name: str = "discord", on_record: Callable[[], None] | None = None
    ) -> None:
        super().__init__(level=logging.ERROR)
        self.logger_name = logger_name
        self.on_record = on_record
        self.records: list[logging.LogRecord] = []
        self._expected: list[re.Pattern[str]] = []
        self._previous_level: int | None = None

    def emit(self, record: logging.LogRecord) -> None:
        """Store the record (and tell the owner, e.g. to wake waiters)."""
        self.records.append(record)
        if self.on_record is not None:
            self.on_record()

    def install(self) -> None:
        """Attach to the logger (and make sure ERROR records are not filtered out)."""
        logger = logging.getLogger(self.logger_name)
        logger.addHandler(self)
        if logger.getEffectiveLevel() > logging.ERROR:
            self._previous_level = logger.level
            logger.setLevel(logging.ERROR)

    def uninstall(self) -> None:
        """Detach from the logger."""
        logger = logging.getLogger(self.logger_name)
        logger.removeHandler(self)
        if self._previous_level is not None:
            logger.setLevel(self._previous_level)
            self._previous_level = None

    def expect(self, pattern: str) -> None:
        """Allow records whose text (message + traceback) matches ``pattern`` (re.search)."""
        self._expected.append(re.compile(pattern, re.S))

    @staticmethod
    def describe(record: logging.LogRecord) -> str:
        """Message plus formatted exception, as one string."""
        text = f"{record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += "\n" + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return text

    def unexpected(self) -> list[str]:
        """Descriptions of records not matched by any :meth:`expect` pattern."""
        out = []
        for record in self.records:
            text = self.describe(record)
            if not any(p.search(text) for p in self._expected):
                out.append(text)
        return out
