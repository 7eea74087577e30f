@entra @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works
Feature: Deactivating and reactivating a user
  Provisioning deactivates a user in Kintone (status inactive) instead of deleting them when the user is deleted
  in Entra ID or blocked from signing in, and reactivates the same Kintone user when that is undone.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  The Setting Guide's Entra ID tutorial lists the actions "Add user, Update user, Deactivate user".
  Article statements (docs/help-article.md): G5, G6, M2, X2.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "dave" in Entra ID with display name "Dave Davis"
    And the user "dave" has been provisioned to Kintone

  Scenario: A user deleted in Entra ID is deactivated in Kintone
    When the user "dave" is deleted in Entra ID
    And provisioning runs
    Then the user "dave" is inactive in Kintone

  Scenario: A user blocked from signing in is deactivated in Kintone
    When the user "dave" is blocked from signing in
    And provisioning runs
    Then the user "dave" is inactive in Kintone

  Scenario: A user restored in Entra ID is reactivated in Kintone, not added again
    Given the user "dave" is deleted in Entra ID
    And provisioning runs
    When the user "dave" is restored in Entra ID
    And provisioning runs
    Then the user "dave" is active in Kintone
    And the user "dave" is the same Kintone user as before
