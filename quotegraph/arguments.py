"""Argument types shared by every ``quotegraph`` command (main CLI, corpus and web commands)."""

from __future__ import annotations

import argparse


def positive_int(value: str) -> int:
    """A whole number of at least 1; "20_000" and "20,000" are read as 20000."""
    try:
        number = int(value.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number
