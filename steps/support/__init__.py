"""What the suite's steps stand on, one job per module, so that each step stays a line or two of glue.

- `people`: the scenario's people by alias, with login names unique to this run
- `directory`: the Entra ID side's directory (tenant and virtual clock): users and groups by alias
- `provisioning`: the Entra ID side's provisioning job and its configuration (Tenant URL, token, mappings)
- `kintone`: the Kintone side: what an administrator does and what Kintone holds, through a target driver
- `protocol`: the protocol probe's answers and the request bodies Entra sends in protocol scenarios
- `items`: the help article's item names, mapped to Entra ID and Kintone
- `notes`: notes for the report

steps/conftest.py and steps/fixtures.py build these as fixtures; docs/suite.md lists which step hands what on.
"""
