"""Seed data: one frozen module per migration that writes it (see each module)."""
