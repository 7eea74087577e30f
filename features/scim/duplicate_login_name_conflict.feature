@scim @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
Feature: Creating a user whose login name is taken is refused as a conflict
  A second create of the same login name is refused as a conflict and leaves exactly one user.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  RFC 7644 section 3.3: 409 with scimType "uniqueness".

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "vic" in Entra ID with display name "Vic Vance"
    And the user "vic" has been provisioned to Kintone

  Scenario: Creating the same user twice
    When Entra ID creates the user "vic" once more
    Then the answer is a SCIM error saying the login name is already taken
    And there is exactly one user "vic" in Kintone
