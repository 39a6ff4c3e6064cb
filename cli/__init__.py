"""`qa-learner`: the API from a terminal, over HTTP only (like the dashboard)."""
