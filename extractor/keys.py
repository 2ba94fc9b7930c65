"""Names shared by the pipeline components and the readers of their output (no imports: cheap)."""

LEVELS_KEY = "levels"  # doc.spans group of vertebral level mentions
ASSERTED_KEY = "opnote_asserted"  # doc.spans group of the targets ConText asserts
