"""Hooks that mkdocs.yml runs while it builds the docs site."""
