"""One module per command group. Each is thin: parse, collect secrets, call one function, render."""
