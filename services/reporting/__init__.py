"""Reporting service: exact regional counters built from every event on the platform."""
