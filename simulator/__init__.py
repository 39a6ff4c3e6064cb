"""A faithful stand-in for the QA streaming challenge API."""
