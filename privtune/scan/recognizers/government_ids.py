"""Placeholder: filled in by the recognizer work."""
