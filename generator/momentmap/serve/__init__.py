"""`momentmap serve`: the loopback HTTP server (`server`) and the in-memory build it
serves (`preview`)."""
