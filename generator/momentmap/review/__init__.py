"""`momentmap review`: two revisions of a site (`revisions`) read as two sides
(`sides`), compared (`compare`) into the changes (`changes`), and reported for a
merge request (`report`)."""
