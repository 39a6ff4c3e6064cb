"""The project's services as real processes on loopback, and a headless Chromium: what the
tests and the benchmarks both start."""
