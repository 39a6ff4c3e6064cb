"""The learner's process: it polls the stream, learns, and commits each tick exactly once
(`python -m api.learner`)."""
