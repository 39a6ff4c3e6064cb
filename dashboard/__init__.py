"""The dashboard: watch the online models converge, polling the API over HTTP."""
