"""Protection of people named in reports: one masker for every output, public forms of records."""
