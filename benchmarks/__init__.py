"""`make bench`: catch-up throughput, serving under load, storage and page cost, in one run.

The machine is shared and noisy, so each figure that matters is a ratio against a baseline
measured in the same run: the learner against a bare fetch loop and a bare River loop, the
`latest` endpoint against a trivial endpoint of the same process.
"""
