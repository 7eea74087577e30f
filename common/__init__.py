"""The shared leaf every part may import and that imports no other part: errors, the one redactor, SCIM wire
helpers. The simulator, the emulator and the conformance layer meet here, never in each other
(tests/test_layers.py)."""
