"""Vendor connectors for qa systems."""
