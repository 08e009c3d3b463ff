"""The `wallet` command line. Commands are thin; logic lives in the plain modules beside them."""
