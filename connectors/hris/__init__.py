"""Vendor connectors for hris systems."""
