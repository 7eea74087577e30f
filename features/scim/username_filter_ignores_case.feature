@scim @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
Feature: Finding a user by login name ignores case
  Entra ID matches users by userName with a filter and may write the login name in another case than the
  service stored it; the service must find the user anyway (userName is case-insensitive in SCIM), and only
  that user. Entra ID also queries users by externalId.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  RFC 7643 section 4.1.1: userName has caseExact false. Microsoft: users are queried by userName and externalId.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "uma" in Entra ID with display name "Uma Underwood"
    And the user "uma" has been provisioned to Kintone
    And a user "ulf" in Entra ID with display name "Ulf Urban"
    And the user "ulf" has been provisioned to Kintone

  Scenario: The userName filter finds a user whatever the case
    When Entra ID looks up the login name of "uma" written in upper case
    Then exactly the user "uma" is found

  Scenario: The externalId filter finds the user
    When Entra ID looks up the user "ulf" by its external id
    Then exactly the user "ulf" is found
