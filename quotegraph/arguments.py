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


def add_mode(parser: argparse.ArgumentParser, what: str) -> None:
    """``--mode fast|accurate``, the same option on every command that extracts."""
    parser.add_argument(
        "--mode",
        choices=("fast", "accurate"),
        default="fast",
        help=f"{what}: fast (default; spaCy + a small tagger) or accurate (a fine-tuned "
        "transformer; needs pip install 'quotegraph[accurate]')",
    )
