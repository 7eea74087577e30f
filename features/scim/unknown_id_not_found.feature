@scim @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
Feature: A user that does not exist is reported as not found
  Entra ID reads a user by the id the service gave it; an id that does not exist must be answered as not found
  (Entra then reports the link as broken instead of retrying forever).
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  RFC 7644 section 3.4.1; Microsoft: 404 for an unknown id.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone

  Scenario: Reading a user by an unknown id
    When Entra ID reads a user by an id that does not exist
    Then the answer is a SCIM error saying the user was not found
