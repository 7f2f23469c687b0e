"""The site as one model: moment files read (`reads`, cached and in parallel), the
whole-site checks (`load`), git history (`gitinfo`), and the anonymized copy of
the model (`anonymize`, `names`)."""
