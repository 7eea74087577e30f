@entra @help:items-propagated-from-idp @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works
Feature: Adding a user
  A user assigned to the Kintone app in Entra ID is added to Kintone by provisioning,
  with the items Kintone takes from the IdP: login name, display name, surname, given name and email address.
  Help article: https://get.kintone.help/general/en/admin/scim.html#items-propagated-from-idp
  "When provisioning is enabled, the following items from IdP are propagated."

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone

  Scenario: A user assigned to the Kintone app is added to Kintone
    Given a user "alice" in Entra ID with display name "Alice Adams"
    And the user "alice" is assigned to the Kintone app
    When provisioning runs
    Then the user "alice" exists in Kintone with display name "Alice Adams"
    And the surname of "alice" in Kintone is "Adams"
    And the given name of "alice" in Kintone is "Alice"
    And the email address of "alice" in Kintone is the one from Entra ID
    And the user "alice" is active in Kintone

  Scenario: A user not assigned to the Kintone app is not added
    Given a user "bob" in Entra ID with display name "Bob Brown"
    When provisioning runs
    Then the user "bob" does not exist in Kintone
