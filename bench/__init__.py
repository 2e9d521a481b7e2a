"""Benchmarks: each script prints a markdown table and writes CSV results under bench/results/."""
