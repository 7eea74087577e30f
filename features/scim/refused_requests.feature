@scim @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/monitoring-health/howto-analyze-provisioning-logs
Feature: A request the service cannot take is refused, never a server error
  A create with an attribute no schema defines, or an update that is not a valid PATCH, is refused with 400 and
  a SCIM error document, and changes nothing. A server error (5xx) would make Entra ID retry the object every
  40 minutes instead of logging the reason once.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  RFC 7644 section 3.12 (400 invalidSyntax); Microsoft: provisioning log error codes.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "rhea" in Entra ID with display name "Rhea Reyes"

  Scenario: A create with an attribute that no schema defines is refused
    When Entra ID creates the user "rhea" with an attribute that no schema defines
    Then the answer is a SCIM error saying the request is invalid, never a server error
    And the user "rhea" does not exist in Kintone

  Scenario: An update that is not a valid PATCH is refused
    Given the user "rhea" has been provisioned to Kintone
    When Entra ID sends an update of "rhea" that is not a valid PATCH
    Then the answer is a SCIM error saying the request is invalid, never a server error
    And the display name of "rhea" in Kintone is "Rhea Reyes"
