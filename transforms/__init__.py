"""Vendor records to the unified contact-centre model.

`transforms.unified_model` describes the contract (tables, columns, keys, allowed values); the
per-vendor mappings and identity resolution build on it.
"""
