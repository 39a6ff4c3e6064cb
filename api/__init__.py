"""The online learner and its REST API."""
