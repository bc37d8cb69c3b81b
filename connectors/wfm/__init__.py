"""Vendor connectors for wfm systems."""
