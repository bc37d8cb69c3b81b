"""Vendor connectors for survey systems."""
