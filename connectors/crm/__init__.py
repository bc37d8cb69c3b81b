"""Vendor connectors for crm systems."""
