"""Osteotomy codes (coding-rules sections 1-2): one primary per family from the region of its most
cephalad site, plus the family's add-on for each further site in any region."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..codes import OSTEOTOMY_FAMILIES, label, table
from ..flags import Flag
from ..levels import region_of, region_vertebra, vertebra_index
from ..model import DroppedSite, Osteotomy, Site, Suggestion
from ..settings import Settings
from .confidence import dedupe_evidence, explain


@dataclass
class _Family:
    """The osteotomies of one family on their way to codes: sites kept, sites dropped, flags."""

    name: str
    facts: list[Osteotomy]
    sites: list[Site] = field(default_factory=list)
    dropped: list[DroppedSite] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    def drop(self, sites: list[Site], reason: Flag) -> None:
        if sites:
            self.flags.append(reason)
            self.dropped += [DroppedSite(s.label, str(reason)) for s in sites]
            self.sites = [s for s in self.sites if s not in sites]


def code_osteotomies(osteotomies: tuple[Osteotomy, ...], settings: Settings) -> list[Suggestion]:
    families = [_Family(f, [x for x in osteotomies if x.family == f]) for f in OSTEOTOMY_FAMILIES]
    families = [f for f in families if f.facts]
    three_column = {v for f in families if f.name == "three_column" for x in f.facts for s in x.sites
                    for v in s.vertebrae}
    suggestions: list[Suggestion] = []
    for family in families:
        family.flags = [f for x in family.facts for f in x.flags]
        family.dropped = [d for x in family.facts for d in x.dropped]
        family.sites = _family_sites(family, settings)
        _drop_uncodable(family, three_column, settings)
        if family.name == "three_column":
            suggestions += _three_column_checks(family, settings)
        if family.sites:
            suggestions += _family_codes(family, len(families) > 1, settings)
    return suggestions


def _family_sites(family: _Family, settings: Settings) -> list[Site]:
    """Sites of one family keyed by the vertebra that sets their region, cephalad first."""
    mode = settings.osteotomy.site_region
    by_vertebra: dict[str, Site] = {}
    per_vertebra = settings.osteotomy.posterior_counting == "per_vertebra_touched" and family.name != "three_column"
    for fact in family.facts:
        for site in fact.sites:
            if per_vertebra:
                for v in site.vertebrae:
                    by_vertebra.setdefault(v, replace(site, label=v, kind="vertebra", vertebrae=(v,)))
                family.flags.append(Flag.ponte_per_vertebra_touched)
            else:
                by_vertebra.setdefault(region_vertebra(site.vertebrae, mode), site)
    return [by_vertebra[v] for v in sorted(by_vertebra, key=vertebra_index)]


def _region(site: Site, settings: Settings) -> str:
    return region_of(region_vertebra(site.vertebrae, settings.osteotomy.site_region))


def _drop_uncodable(family: _Family, three_column: set[str], settings: Settings) -> None:
    """Posterior sites at a three-column segment (setting same_segment_posterior) and sacral sites."""
    mode = settings.osteotomy.site_region
    if family.name == "posterior" and settings.osteotomy.same_segment_posterior == "drop":
        family.drop([s for s in family.sites if region_vertebra(s.vertebrae, mode) in three_column],
                    Flag.same_segment_bundling)
    family.drop([s for s in family.sites if _region(s, settings) == "sacral"], Flag.sacral_site)


def _three_column_checks(family: _Family, settings: Settings) -> list[Suggestion]:
    """Flags of three-column osteotomies, and the cervical sites, which have no code of their own."""
    if any(s.kind_written == "interspace" for x in family.facts for s in x.sites):
        family.flags.append(Flag.three_column_site_interspace)
    if any(x.type == "vcr" for x in family.facts):
        family.flags.append(Flag.vcr_code_conflict)
    cervical = [s for s in family.sites if region_of(s.vertebrae[0]) == "cervical"]
    if not cervical:
        return []
    family.sites = [s for s in family.sites if s not in cervical]
    return _cervical_three_column(cervical, family, settings)


def _cervical_three_column(sites: list[Site], family: _Family, settings: Settings) -> list[Suggestion]:
    """No CPT code exists for a cervical three-column osteotomy: emit the configured code, flagged."""
    choice = settings.osteotomy.cervical_three_column_code
    if choice == "none":
        return []
    flags = tuple(dict.fromkeys(family.flags + [Flag.cervical_three_column]))
    evidence = dedupe_evidence(e for x in family.facts for e in x.evidence)
    confidence, why = explain("body_with_sites", "cervical three-column osteotomy named in the narrative", flags,
                              settings, [s.label for s in sites], family.dropped)
    entry = table()["cervical_three_column"][choice]
    if not entry["with_addon"]:
        code = entry["code"]
        return [Suggestion(code, 1, entry["family"], label(code), confidence, flags, evidence, why)]
    codes = table()["osteotomy"][entry["family"]]
    out = [Suggestion(codes["primary"]["cervical"], 1, entry["family"], label(codes["primary"]["cervical"]),
                      confidence, flags, evidence, why)]
    if len(sites) > 1:
        out.append(Suggestion(codes["addon"], len(sites) - 1, entry["family"], label(codes["addon"]), confidence,
                              flags, evidence, why))
    return out


def _family_codes(family: _Family, two_families: bool, settings: Settings) -> list[Suggestion]:
    """The primary of the family's first site and the add-on for the further sites."""
    sites = family.sites[::-1] if settings.osteotomy.cross_region_primary == "most_caudal" else family.sites
    primary = sites[0]
    region = _region(primary, settings)
    if len({_region(s, settings) for s in sites}) > 1:
        family.flags.append(Flag.cross_region_primary)
    if primary.kind == "interspace" and len({v[0] for v in primary.vertebrae}) > 1:
        family.flags.append(Flag.junction_primary)
    if two_families:
        family.flags.append(Flag.two_families)
    flags = tuple(dict.fromkeys(family.flags))
    base_kind = min((_base_kind(x) for x in family.facts), key=lambda k: getattr(settings.confidence, k))
    confidence, why = explain(base_kind, _REASONS[base_kind], flags, settings, [s.label for s in family.sites],
                              family.dropped)
    evidence = dedupe_evidence(e for x in family.facts for e in x.evidence)
    codes = table()["osteotomy"][family.name]
    out = [Suggestion(codes["primary"][region], 1, family.name, label(codes["primary"][region]), confidence, flags,
                      evidence, why)]
    if len(sites) > 1:
        out.append(Suggestion(codes["addon"], len(sites) - 1, family.name, label(codes["addon"]), confidence, flags,
                              evidence, why))
    return out


_REASONS = {
    "body_with_sites": "osteotomy named in the operative narrative with its levels",
    "sites_from_procedure_list": "osteotomy levels taken from the procedure list",
    "inferred_type": "osteotomy type inferred from the resection described",
}


def _base_kind(fact: Osteotomy) -> str:
    if fact.inferred:
        return "inferred_type"
    return "sites_from_procedure_list" if fact.source == "procedure_list" else "body_with_sites"
