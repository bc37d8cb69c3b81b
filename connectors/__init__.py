"""Extraction: one dlt source per vendor, the shared HTTP layer and the files source.

Connectors import nothing of ours but `connectors.http`, so they stay usable on their own.
"""
