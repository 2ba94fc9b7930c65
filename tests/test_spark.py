"""The Spark entry point on local Spark gives the same results as the single-process run."""
import pandas as pd

from conftest import load_split
from extractor.spark import SPARK_SCHEMA, extract_partitions


def test_spark_matches_single_process(spark, corpus_records):
    notes = load_split("dev") + load_split("test") + load_split("sample")
    rows = [{"note_id": f"{g['note_id']}#{copy}", "text": g["text"]} for copy in range(2) for g in notes]
    rows.append({"note_id": "empty#0", "text": "   "})
    frame = spark.createDataFrame(pd.DataFrame(rows)).repartition(4)
    result = frame.mapInPandas(extract_partitions, schema=SPARK_SCHEMA).toPandas()
    assert sorted(result["note_id"].unique()) == sorted(r["note_id"] for r in rows)
    expected = set()
    for row in rows:
        record = corpus_records.get(row["note_id"].split("#")[0]) or {"status": "error", "suggestions": []}
        expected |= {(row["note_id"], record["status"], s["code"], s["units"], s["confidence"]) for s in record["suggestions"]}
        if not record["suggestions"]:
            expected.add((row["note_id"], record["status"], None, None, None))
    got = {(r.note_id, r.status, r.code if isinstance(r.code, str) else None,
            None if pd.isna(r.units) else int(r.units), None if pd.isna(r.confidence) else r.confidence)
           for r in result.itertuples()}
    assert got == expected
    assert result.loc[result.note_id == "empty#0", "status"].item() == "error"
