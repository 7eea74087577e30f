"""A Kintone SCIM 2.0 endpoint emulator: users only, Kintone's rules, API tokens, SQLite persistence."""
