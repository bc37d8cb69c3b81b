"""connectors: under construction; see the README."""
