"""A build from start to finish: the plan of every output file (`plan`), the page
keys that decide what to redo (`keys`), and writing it (`builder`, `output`)."""
