"""Errors the CLI turns into a readable message instead of a traceback."""


class HarnessError(Exception):
    """A problem the user can fix (bad option, unreachable target, bad file). Printed without a traceback."""
