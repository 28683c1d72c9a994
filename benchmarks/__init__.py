"""Accuracy and speed benchmarks; each prints ours beside the anchor figure."""
