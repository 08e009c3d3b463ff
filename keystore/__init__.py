"""Secrets at rest and HD derivation: no network, no printing, no prompting."""
