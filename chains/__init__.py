"""Chain adapters, one per family, written against the value types in chains.base."""
