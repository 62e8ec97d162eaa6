"""The calendar: periods P_1..P_T between a start and an end month (model.md section 3).

Step 0 is the initial state, labelled with the start month. Step k (1..T)
applies the events dated in P_k and is labelled with P_k's first month.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MONTHS_PER_STEP: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> int:
    """``"YYYY-MM"`` as a month count (year * 12 + month - 1).

    Raises:
        ValueError: not of the form YYYY-MM with a month from 01 to 12.
    """
    return _parse_month(str(text))


# A scenario's dates are parsed again by each copy a design point or a calibration makes.
@lru_cache(maxsize=4096)
def _parse_month(text: str) -> int:
    match = _MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"'{text}' is not a date of the form YYYY-MM (month 01 to 12)")
    if int(match.group(1)) == 0:
        # No calendar has a year 0 (1 BC is followed by AD 1): a scenario in it ran, then
        # its figures failed with a traceback, dates being from 0001 (an audit).
        raise ValueError(f"'{text}': there is no year 0000; years go from 0001 to 9999")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def format_month(count: int) -> str:
    """The inverse of :func:`parse_month`."""
    return f"{count // 12:04d}-{count % 12 + 1:02d}"


class Calendar(BaseModel):
    """``{start: "YYYY-MM", end: "YYYY-MM", step: month|quarter|year}``, start and end inclusive."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: str = Field(description="first month, YYYY-MM")
    end: str = Field(description="last month, YYYY-MM")
    step: Literal["month", "quarter", "year"] = "month"

    @field_validator("start", "end")
    @classmethod
    def _month(cls, value: str) -> str:
        parse_month(value)
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Calendar:
        if parse_month(self.end) < parse_month(self.start):
            raise ValueError(f"calendar ends ({self.end}) before it starts ({self.start})")
        return self

    @cached_property
    def first_month(self) -> int:
        """The start as a month count (see :func:`parse_month`)."""
        return parse_month(self.start)

    @property
    def months_per_step(self) -> int:
        return MONTHS_PER_STEP[self.step]

    @property
    def n_steps(self) -> int:
        """T, the number of periods."""
        span = parse_month(self.end) - self.first_month
        return span // self.months_per_step + 1

    def contains(self, month: int) -> bool:
        """Whether a month count lies between the start and the end month, inclusive."""
        return self.first_month <= month <= parse_month(self.end)

    def step_of(self, text: str) -> int:
        """The step k whose period P_k contains the month ``text``."""
        return (parse_month(text) - self.first_month) // self.months_per_step + 1

    def label(self, step: int) -> str:
        """The date label of step ``step`` (step 0 and step 1 share the start month)."""
        return _label(self.first_month, self.months_per_step, step)

    def labels(self) -> list[str]:
        """Labels of steps 0..T."""
        return list(_labels(self.first_month, self.n_steps, self.months_per_step))


@lru_cache(maxsize=64)
def _labels(first_month: int, n_steps: int, months_per_step: int) -> tuple[str, ...]:
    """:meth:`Calendar.labels` of a calendar, kept: every copy of a scenario has the same."""
    return tuple(_label(first_month, months_per_step, k) for k in range(n_steps + 1))


def _label(first_month: int, months_per_step: int, step: int) -> str:
    return format_month(first_month + (max(step, 1) - 1) * months_per_step)
