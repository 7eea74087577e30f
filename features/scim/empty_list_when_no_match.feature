@scim @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
Feature: An empty list when no user matches
  Entra ID's test connection and matching expect an empty list when no user has the login name looked up,
  never an error.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  Microsoft: the filter query must answer 200 with an empty ListResponse when nothing matches.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone

  Scenario: Looking up a login name nobody has gives an empty list
    When Entra ID looks up a login name that nobody has
    Then the answer is a successful empty list

  Scenario: Test connection's look-up of a random login name succeeds
    When the administrator tests the connection
    Then the test connection succeeds
