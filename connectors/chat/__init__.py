"""Vendor connectors for chat systems."""
