"""Referrals service: the catalogue of help offers and the referrals of households to them."""
