"""PySpark integration: run the extractor inside ``DataFrame.mapInPandas``.

    from extractor.spark import SPARK_SCHEMA, extract_partitions
    results = notes_df.mapInPandas(extract_partitions, schema=SPARK_SCHEMA)

The pipeline is built once per executor Python worker (and reused across tasks, as Spark reuses
its Python workers); every note gives plain columns, one row per suggestion, and a row with a null
code when it has none. Other column names: ``functools.partial(extract_partitions, id_col=...,
text_col=...)``.
"""
from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import pandas as pd

from .outputs import FLAT_COLUMNS, flatten

SPARK_COLUMNS = [c for c in FLAT_COLUMNS if c != "row"]
_TYPES = {"units": "int", "confidence": "double"}
SPARK_SCHEMA = ", ".join(f"{c} {_TYPES.get(c, 'string')}" for c in SPARK_COLUMNS)


@lru_cache(maxsize=1)
def _extractor():
    from . import load

    return load()


def extract_partitions(batches: Iterator[pd.DataFrame], id_col: str = "note_id",
                       text_col: str = "text") -> Iterator[pd.DataFrame]:
    """mapInPandas function: note batches in, flat suggestion rows out."""
    extractor = _extractor()
    for frame in batches:
        rows = []
        for note_id, text in zip(frame[id_col], frame[text_col]):
            record = extractor.extract(None if pd.isna(text) else text, None if pd.isna(note_id) else str(note_id))
            rows += flatten({**record, "row": None}, [])
        out = pd.DataFrame(rows, columns=FLAT_COLUMNS).drop(columns=["row"])
        out["units"] = out["units"].astype("Int32")
        out["confidence"] = out["confidence"].astype("float64")
        yield out
