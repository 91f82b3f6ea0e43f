"""Benchmarks for qabot: `python -m bench` writes bench/RESULTS.md (see bench/__main__.py)."""
