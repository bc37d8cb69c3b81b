"""transforms: under construction; see the README."""
