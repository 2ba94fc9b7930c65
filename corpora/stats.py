"""Coverage counts of the annotated corpus, as the Markdown block of corpora/README.md.

    python corpora/stats.py            # print the block
    python corpora/stats.py --write    # refresh it in corpora/README.md

tests/test_corpus_readme.py fails when the README's block differs from what this prints.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPLITS = ("dev", "test", "sample", "generated")
GROUPS = {
    "osteotomy types": ["smith_petersen", "spo", "ponte", "pco", "schwab2", "chevron", "posterior_wedge",
                        "posterior_release", "pso", "extended_pso", "eggshell", "bdbo", "vcr", "three_column",
                        "anterior_osteotomy", "cervical_three_column"],
    "regions and sites": ["cervical", "thoracic", "lumbar", "cross_region", "multi_site", "two_families"],
    "assertion traps": ["negated", "planned", "hypothetical", "historical", "aborted", "header_only",
                        "header_done_body_not", "staged"],
    "non-osteotomy traps": ["fusion_bed_facetectomy", "tlif_facetectomy", "decompression", "osteotome_instrument",
                            "graft_harvest", "corpectomy", "kyphoplasty", "acdf_spurs", "schwab1",
                            "release_unspecified", "acr", "no_osteotomy"],
    "level notations": ["notation_single", "notation_hyphen_single", "notation_interspace", "notation_slash",
                        "notation_range", "notation_range_words", "notation_dash", "notation_list", "notation_words",
                        "notation_pelvis", "notation_ilium", "notation_sacrum"],
    "formatting": ["crlf", "hard_wrapped", "flattened", "typos", "deid", "template", "caps_headers",
                   "no_colon_headers", "numbered", "bullets", "terse", "verbose"],
}
BEGIN, END = "<!-- stats:begin -->", "<!-- stats:end -->"


def load() -> dict[str, list[dict]]:
    return {s: [json.loads(x) for x in (HERE / s / "gold.jsonl").read_text().splitlines() if x.strip()]
            for s in SPLITS}


def block() -> str:
    rows = load()
    lines = [BEGIN, "", "| split | notes |", "|---|---|"]
    lines += [f"| {s} | {len(rows[s])} |" for s in SPLITS]
    lines += [f"| all | {sum(len(r) for r in rows.values())} |", ""]
    tags = {s: Counter(t for r in rows[s] for t in set(r.get("tags", []))) for s in SPLITS}
    codes = {s: Counter(c["code"] for r in rows[s] for c in r["codes"]) for s in SPLITS}
    header = "| " + " | ".join(SPLITS) + " | all |"
    for group, names in GROUPS.items():
        lines += [f"**{group}** (notes carrying the tag)", "", "| tag " + header, "|---" * (len(SPLITS) + 2) + "|"]
        for name in names:
            counts = [tags[s][name] for s in SPLITS]
            lines.append(f"| {name} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
        lines.append("")
    sites = {s: Counter(min(7, sum(len(o["sites"]) for o in r["facts"].get("osteotomies", [])))
                        for r in rows[s] if r["facts"].get("osteotomies")) for s in SPLITS}
    lines += ["**osteotomy sites per note** (notes with an osteotomy, by gold sites; 7 = 7 or more)", "",
              "| sites " + header, "|---" * (len(SPLITS) + 2) + "|"]
    for n in range(1, 8):
        counts = [sites[s][n] for s in SPLITS]
        lines.append(f"| {n} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    lines.append("")
    lines += ["**codes** (notes whose gold has the code)", "", "| code " + header, "|---" * (len(SPLITS) + 2) + "|"]
    for code in sorted(set().union(*codes.values())):
        counts = [codes[s][code] for s in SPLITS]
        lines.append(f"| {code} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    lines += ["", END]
    return "\n".join(lines)


def main() -> None:
    text = block()
    if "--write" in sys.argv:
        readme = HERE / "README.md"
        current = readme.read_text()
        start, end = current.index(BEGIN), current.index(END) + len(END)
        readme.write_text(current[:start] + text + current[end:])
    else:
        print(text)


if __name__ == "__main__":
    main()
