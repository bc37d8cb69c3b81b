"""Vendor connectors for telephony systems."""
