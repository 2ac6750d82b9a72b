"""Signals service: intake of early signals of payment arrears and the outreach queue of cases."""
