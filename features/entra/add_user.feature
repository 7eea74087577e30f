@entra @help:items-propagated-from-idp @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works
Feature: Adding a user
  A user assigned to the Kintone app in Entra ID is added to Kintone by provisioning,
  with the items Kintone takes from the IdP: login name, display name, surname, given name and email address.
  Help article: https://get.kintone.help/general/en/admin/scim.html#items-propagated-from-idp
  "When provisioning is enabled, the following items from IdP are propagated."
  Microsoft's Kintone tutorial, steps 4 and 5: who is in scope (assignment, and a scoping filter on attributes).
  Article statements (docs/help-article.md): A2, A3, A4, A5, A6, A7, G1, G2, G3, M1, M9, M18, M20, M21.

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

  Scenario: With a scoping filter, only the assigned users it selects are added
    Given provisioning is scoped to users whose department is "Sales"
    And a user "sol" in Entra ID with display name "Sol Sharp"
    And the user "sol" has job title "Buyer" and department "Sales" in Entra ID
    And the user "sol" is assigned to the Kintone app
    And a user "tim" in Entra ID with display name "Tim Tate"
    And the user "tim" has job title "Buyer" and department "Support" in Entra ID
    And the user "tim" is assigned to the Kintone app
    When provisioning runs
    Then the user "sol" exists in Kintone with display name "Sol Sharp"
    And the user "tim" does not exist in Kintone
