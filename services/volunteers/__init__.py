"""Volunteers service: the registry of volunteers and their assignments to households."""
