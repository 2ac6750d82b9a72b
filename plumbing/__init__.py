"""Plumbing shared by the Redzaam services: settings, CloudEvents, Kafka, MongoDB, outbox, metrics, web layout.

Nothing here knows about signals, referrals, volunteers or counters; each service owns its own domain models.
"""
