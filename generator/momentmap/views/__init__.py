"""What each page shows: the page list, insights, reflections, journeys, and the
extra files (moments.json, feeds, search index) computed from the model."""
