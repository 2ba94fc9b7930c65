"""Osteotomy sites from level mentions: the unit the osteotomy codes count."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..levels import Level, interspace_label, make_level, vertebra_index
from ..model import Site


def osteotomy_sites(family: str, levels: Iterable[Level], range_mode: str) -> tuple[Site, ...]:
    """Normalized sites of one osteotomy family from its level mentions, cephalad first.

    Three-column sites are vertebrae (an interspace gives its cephalad vertebra); posterior and
    anterior sites are interspaces or vertebrae as written, a vertebra range giving one site per
    vertebra or per interspace (setting ``posterior_range_sites``).
    """
    levels = list(levels)
    if family == "three_column" and (inner := _bodies_between_discs(levels)):
        levels = [make_level(v) for v in inner]  # "the T11 body ... and the T10-11 and T11-12 discs removed": T11
    explicit = {v for lv in levels if lv.kind != "range" for v in lv.vertebrae()}
    # A range restating named sites ("compression across T10-11 through T12-L1", "satellite rods
    # across the PSO from L2 to L4") adds none.
    levels = [lv for lv in levels if not (lv.kind == "range" and explicit
                                          and (family == "three_column" or set(lv.vertebrae()) <= explicit))]
    ordered = sorted(levels, key=lambda lv: lv.kind != "vertebra")  # vertebrae first
    sites: dict[str, Site] = {}
    for lv in ordered:
        if family == "three_column":
            _add_three_column(sites, lv)
        else:
            _add_segment(sites, lv, range_mode)
    if family != "three_column":
        # "A wedge of bone from the L2 lamina and the top of L3" describes the L2-3 site again.
        covered = {v for site in sites.values() if site.kind == "interspace" for v in site.vertebrae}
        sites = {k: s for k, s in sites.items() if not (s.kind == "vertebra" and not s.from_range and k in covered)}
    return tuple(sorted(sites.values(), key=lambda s: (vertebra_index(s.vertebrae[0]), len(s.vertebrae))))


def _bodies_between_discs(levels: list[Level]) -> list[str]:
    """The vertebrae inside a chain of two or more disc spaces given as a three-column resection's only levels
    (T10-11 and T11-12 enclose the resected T11)."""
    if len(levels) < 2 or any(lv.kind != "interspace" for lv in levels):
        return []
    chain = sorted(levels, key=lambda lv: vertebra_index(lv.start))
    if any(a.end != b.start for a, b in zip(chain, chain[1:])):
        return []
    return [lv.end for lv in chain[:-1]]


def _add_three_column(sites: dict[str, Site], lv: Level) -> None:
    if lv.kind == "interspace":
        # The disc next to a named vertebra (extended PSO, BDBO) is not a further segment.
        if lv.start in sites or lv.end in sites:
            return
        verts = [lv.start]
    else:
        verts = lv.vertebrae()
    for v in verts:
        site = sites.setdefault(v, Site(v, "vertebra", (v,), lv.kind == "range"))
        if lv.kind == "interspace":
            sites[v] = replace(site, kind_written="interspace")


def _add_segment(sites: dict[str, Site], lv: Level, range_mode: str) -> None:
    if lv.kind != "range":
        sites.setdefault(lv.label, Site(lv.label, lv.kind, tuple(lv.vertebrae())))
    elif range_mode == "per_interspace":
        verts = lv.vertebrae()
        for a, b in zip(verts, verts[1:]):
            label = interspace_label(a, b)
            sites.setdefault(label, Site(label, "interspace", (a, b), True))
    else:
        for v in lv.vertebrae():
            sites.setdefault(v, Site(v, "vertebra", (v,), True))
