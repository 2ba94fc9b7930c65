"""Tests of the coder review queue (extractor/review)."""
