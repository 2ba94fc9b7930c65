"""Fitting and judging the learned layer's models with scikit-learn (``make models``, ``opnote models
retrain``). Nothing here runs while notes are extracted: the extractor reads the stored JSON only."""
