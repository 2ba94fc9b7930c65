"""Bytes and strings from note exports made safe to process and to write.

Text is UTF-8 when it decodes as UTF-8; UTF-16/32 when it starts with their byte-order mark; else
cp1252 (the usual Windows export), else latin-1, which cannot fail. Strings may also hold lone
surrogates (a JSON ``"\\udc80"`` escape, or bytes kept by ``surrogateescape``): they cannot be
written as UTF-8, so they are replaced by U+FFFD, one for one, which keeps every offset.
"""
from __future__ import annotations

import codecs
import re

from .flags import Flag

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_SURROGATE = re.compile("[\ud800-\udfff]")


def bom_encoding(head: bytes) -> str | None:
    """The UTF-16/32 codec a byte-order mark at the start of ``head`` names (UTF-8's is kept in the
    text, where the text view blanks it), or None."""
    return next((codec for bom, codec in _BOMS if head.startswith(bom)), None)


def decode_bytes(raw: bytes) -> tuple[str, list[Flag]]:
    """Text and flags: UTF-8; UTF-16/32 with a byte-order mark; else cp1252, else latin-1 (flagged)."""
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    codec = bom_encoding(raw)
    if codec:
        try:
            return raw.decode(codec), [Flag.non_utf8_input]
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("cp1252"), [Flag.non_utf8_input]
    except UnicodeDecodeError:
        return raw.decode("latin-1"), [Flag.non_utf8_input]


def writable(value: str) -> tuple[str, bool]:
    """``value`` with lone surrogates replaced by U+FFFD (same length), and whether any was."""
    try:
        value.encode("utf-8")
        return value, False
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", value), True


def escaped_field(value: str) -> tuple[str | bytes, bool]:
    """A field read as UTF-8 with ``surrogateescape``: itself, or its original bytes when they were
    not UTF-8 (and True)."""
    try:
        value.encode("utf-8")
        return value, False
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape"), True
