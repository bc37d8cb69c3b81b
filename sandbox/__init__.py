"""sandbox: under construction; see the README."""
