"""The end-to-end demo: a synthetic bilingual support corpus and the three-arm comparison."""
