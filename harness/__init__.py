"""Glue shared by the conformance suite: the CLI, target drivers, traffic capture and reports."""
