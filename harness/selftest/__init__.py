"""The suite tests itself: the vendor suite (`--target scim`) against the emulator's generic profile with each
defect of the catalogue switched on, one at a time, in each dialect; the score is the share of defects that
turn at least one scenario red (docs/detection.md).

- `outcomes`: the suite run in this process (pytest.main) and its JUnit outcomes per scenario and dialect
- `sweep`: one generic emulator per process, defects switched through its admin surface, runs per defect
- `score`: the result and its table
- `cli`: `scim-harness selftest`
"""
