"""Local sandbox chains for `wallet demo`, `wallet devnet up` and the integration tests."""
