"""Vendor connectors for ticketing systems."""
