"""Reading the writer's files: sources, front matter, fields and schema, dates,
the site config, moments, customer profiles and Markdown bodies. Nothing here
knows about pages or output."""
