"""JUnit XML that CI servers show in the scenario's words: classname = the feature, name = the scenario.

GitLab and Jenkins show a test case's `classname` and `name` and nothing of its `<properties>`; pytest writes
the module path (`steps.test_conformance`) and the test function's snake_case name. The scenario's identity
travels with every test report as user properties (`reporting.identity`, set at collection, so it crosses
pytest-xdist too); once pytest has written the file, each test case takes its classname and name from them.
A test case without them (not a scenario) is left as pytest wrote it.
"""

from __future__ import annotations

import os
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from scim_harness.common.errors import HarnessError


def name_cases_after_scenarios(junit_xml: Path) -> int:
    """Rewrites `junit_xml` in place; returns how many test cases were renamed."""
    try:
        tree = ET.parse(junit_xml)
    except (OSError, ET.ParseError) as exc:
        raise HarnessError(f"cannot read JUnit XML {junit_xml}: {exc}") from None
    renamed = 0
    for case in tree.getroot().iter("testcase"):
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        feature, scenario = properties.get("feature"), properties.get("scenario")
        if feature and scenario:
            case.set("classname", feature)
            case.set("name", scenario)
            renamed += 1
    tmp = junit_xml.with_name(f".{junit_xml.name}.{uuid.uuid4().hex}.tmp")
    try:
        tree.write(tmp, encoding="utf-8", xml_declaration=True)
        os.replace(tmp, junit_xml)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return renamed
