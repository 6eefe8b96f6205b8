"""Decoding the raw bytes of a web page: the right charset when it can be known, never a crash.

Pages say their encoding in three places (a byte-order mark, the HTTP ``Content-Type`` header,
a ``<meta charset>`` tag), and often say it wrongly. We believe them in that order, check that
the bytes really decode, then ask charset-normalizer, and as a last resort decode as UTF-8 with
replacement characters: one undecodable byte must not cost the article.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

#: Where a ``<meta charset>`` must appear, per the HTML standard (first 1024 bytes; be lenient).
_META_WINDOW = 4096
#: How much of a page charset-normalizer looks at: enough to decide, cheap on big pages.
_DETECTION_SAMPLE = 64 * 1024

#: English news that is not UTF-8 is nearly always Windows-1252 (or Latin-1, its subset).
_WESTERN_FALLBACK = "cp1252"

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of an HTTP ``Content-Type`` value, if any."""
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def decode_page(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` for a page's bytes; ``declared`` is the HTTP header's charset.

    Never raises: the encoding returned names what was used, ending in ``+replace`` when bytes
    had to be replaced.
    """
    for candidate in _declared_encodings(data, declared):
        try:
            return data.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for candidate in (_detected_encoding(data), _WESTERN_FALLBACK):
        try:
            return data.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError, TypeError):
            continue
    return data.decode("utf-8", errors="replace"), "utf-8+replace"


def _detected_encoding(data: bytes) -> str | None:
    """charset-normalizer's guess, ignoring UTF-16/32 (never unmarked on a real web page)."""
    guess = from_bytes(data[:_DETECTION_SAMPLE]).best()
    if guess is None or guess.encoding.startswith(("utf_16", "utf_32")):
        return None
    return guess.encoding


def _declared_encodings(data: bytes, declared: str | None) -> list[str]:
    """Encodings the page claims, most trustworthy first, normalised and deduplicated."""
    claims = [name for bom, name in _BOMS if data.startswith(bom)]
    claims.append(declared or "")
    meta = _META_CHARSET.search(data[:_META_WINDOW])
    claims.append(meta.group(1).decode("ascii", "ignore") if meta else "")
    found: list[str] = []
    for claim in claims:
        name = _normalise(claim)
        if name and name not in found:
            found.append(name)
    return found


def _normalise(name: str) -> str | None:
    """A Python codec name for a declared charset; latin-1 read as windows-1252, as browsers do."""
    try:
        codec = codecs.lookup(name.strip()).name if name.strip() else None
    except LookupError:
        return None
    return "cp1252" if codec in {"latin-1", "iso8859-1", "ascii"} else codec
