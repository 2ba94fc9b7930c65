"""Hashed word and character n-grams of a text, computed with numpy in a few vector operations.

The note-level models (missed-code safety net, document kind) are linear models over these
features. Each n-gram is hashed into one of ``2**BITS`` buckets by a polynomial hash (prefix sums
with the modular inverse of the base, so every n-gram of a text is hashed at once) and a
multiply-shift mix; the hash is fixed arithmetic on unsigned 64-bit integers, the same on every
machine and in every process (unlike Python's salted ``hash``). The text is read in a normal form:
ASCII lower case, every digit a ``0``, everything that is not a letter or a digit one space.

Every feature keeps the character offset where it starts in the original text, so a model's score
can be split by sentence (which sentences weighed most) and features can be taken from a region
(the operative narrative, the first characters of a document).
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

BITS = 18
FEATURIZER = "ascii-lower-digit0/char4/word1-2/poly64/bits18"  # stored with a model; a change needs `make models`
SPACE, ZERO = 32, 48
# Character 4-grams with word unigrams and bigrams: on cross-validation of the training splits their log
# loss is within 5% of character 3- to 5-grams for every model, from 40% of the n-grams (and of the time).
CHAR_SIZES = (4,)
_U64 = np.uint64
_BASE = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_INVERSE = pow(_BASE, -1, 2**64)
_MIX = _U64(0x9E3779B97F4A7C15)  # multiply-shift: the top BITS bits of h * _MIX
_PAIR = _U64(0xC2B2AE3D27D4EB4F)  # combines two word hashes into a bigram hash
_SALT = {4: 4, "word": 0x51ED27, "bigram": 0xB16A3}


class Features(NamedTuple):
    """Bucket ids of a text's n-grams and the offset in the text where each starts."""

    ids: np.ndarray  # int64 bucket ids in [0, 2**BITS)
    starts: np.ndarray  # int64 character offsets into the original text

    def select(self, keep: np.ndarray) -> "Features":
        return Features(self.ids[keep], self.starts[keep])


@lru_cache(maxsize=8)
def _powers(base: int, size: int) -> np.ndarray:
    """``base**k`` modulo 2**64 for k < size (size is a power of two, so few sizes are cached)."""
    values = np.full(size, base, dtype=_U64)
    values[0] = 1
    return np.cumprod(values, dtype=_U64)


def _lookup_table() -> np.ndarray:
    table = np.full(256, SPACE, dtype=np.uint8)
    for c in range(ord("a"), ord("z") + 1):
        table[c] = table[c - 32] = c
    table[ord("0"):ord("9") + 1] = ZERO
    return table


_NORMAL = _lookup_table()


def _normal_codes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(codes, offsets): the text's characters in normal form with runs of spaces collapsed, and the
    offset of each kept character in ``text`` (a character outside ASCII is read as a space: one byte
    per character, so offsets stay offsets into ``text``)."""
    codes = _NORMAL[np.frombuffer(text.encode("ascii", errors="replace"), dtype=np.uint8)]
    word = codes != SPACE
    keep = word.copy()
    keep[1:] |= word[:-1]  # the first space after a word stays, the rest of the run goes
    offsets = np.flatnonzero(keep)
    return codes[offsets].astype(_U64), offsets


def _prefix_hashes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(H, P): H[i] is the polynomial hash of codes[:i]; P the powers of the base."""
    size = 1 << max(4, int(len(codes) + 1).bit_length())
    power, inverse = _powers(_BASE, size), _powers(_INVERSE, size)
    n = len(codes)
    prefix = np.zeros(n + 1, dtype=_U64)
    if n:
        # H[i] = base**(i-1) * sum_{k<i} codes[k] * inverse**k  (all modulo 2**64)
        prefix[1:] = power[:n] * np.cumsum(codes * inverse[:n], dtype=_U64)
    return prefix, power


def _bucket(hashes: np.ndarray, salt: int) -> np.ndarray:
    mixed = (hashes ^ _U64(salt)) * _MIX
    return (mixed >> _U64(64 - BITS)).astype(np.int64)


def featurize(text: str) -> Features:
    """Character 4-grams and word unigrams and bigrams of ``text`` (normal form)."""
    codes, offsets = _normal_codes(text)
    prefix, power = _prefix_hashes(codes)
    ids, starts = [], []
    for size in CHAR_SIZES:
        if len(codes) >= size:
            grams = prefix[size:] - prefix[:-size] * power[size]
            ids.append(_bucket(grams, _SALT[size]))
            starts.append(offsets[: len(codes) - size + 1])
    is_word = codes != SPACE
    edges = np.flatnonzero(np.diff(np.concatenate(([0], is_word.astype(np.int8), [0]))))
    word_starts, word_ends = edges[0::2], edges[1::2]
    if len(word_starts):
        words = prefix[word_ends] - prefix[word_starts] * power[word_ends - word_starts]
        ids.append(_bucket(words, _SALT["word"]))
        starts.append(offsets[word_starts])
        if len(words) > 1:
            ids.append(_bucket(words[:-1] * _PAIR + words[1:], _SALT["bigram"]))
            starts.append(offsets[word_starts[:-1]])
    if not ids:
        return Features(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    return Features(np.concatenate(ids), np.concatenate(starts))
