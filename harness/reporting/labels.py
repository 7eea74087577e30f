"""Conventions that turn feature-file tags into Allure labels and links.

- `@kintone`, `@entra`, `@scim` name the layer a behaviour belongs to: Allure tag (automatic), label `layer`,
  epic and parent suite.
- `@help:<anchor>` links the scenario to that section of the Kintone help article (`@help:<https URL>` links
  anywhere). On a Feature line it applies to every scenario of the file.
"""

from __future__ import annotations

HELP_TAG_PREFIX = "help:"
HELP_MARK = "help_section"
DEFAULT_HELP_URL = "https://get.kintone.help/general/en/admin/scim.html"

LAYERS = {
    "kintone": "Kintone rules",
    "entra": "Entra provisioning service",
    "scim": "SCIM protocol",
}


def layers_of(tags: set[str]) -> list[str]:
    return [layer for layer in LAYERS if layer in tags]


def help_url(anchor: str, base_url: str = DEFAULT_HELP_URL) -> str:
    if anchor.startswith(("http://", "https://")):
        return anchor
    return f"{base_url.split('#', 1)[0]}#{anchor.lstrip('#')}"
