"""Evaluation: run the exported model on the test set and write the guide's evaluation files."""
