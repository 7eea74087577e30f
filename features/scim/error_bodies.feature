@scim @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
Feature: Errors are SCIM error documents
  A refused request is answered with a SCIM error document (the error schema, the status as a string, and a
  scimType where the RFC defines one), so that Entra ID's provisioning logs show why.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  RFC 7644 section 3.12.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone

  Scenario: A malformed filter is refused with a SCIM error
    When Entra ID looks up users with a malformed filter
    Then the answer is a SCIM error saying the filter is invalid

  Scenario: A malformed document is refused with a SCIM error
    When Entra ID creates a user with a malformed document
    Then the answer is a SCIM error saying the request is invalid
