@entra @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works
Feature: Removing a user's access and adding it back
  Unassigning a user from the Kintone app removes their access (the user is deactivated in Kintone);
  assigning them again gives access back to the same Kintone user.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  The Setting Guide's Entra ID tutorial lists the actions "Add user, Update user, Deactivate user".
  Article statements (docs/help-article.md): G5, M2, X2.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "erin" in Entra ID with display name "Erin Evans"
    And the user "erin" has been provisioned to Kintone

  Scenario: A user unassigned from the Kintone app is deactivated
    When the user "erin" is unassigned from the Kintone app
    And provisioning runs
    Then the user "erin" is inactive in Kintone

  Scenario: A user assigned to the Kintone app again is reactivated
    Given the user "erin" is unassigned from the Kintone app
    And provisioning runs
    When the user "erin" is assigned to the Kintone app
    And provisioning runs
    Then the user "erin" is active in Kintone
    And the user "erin" is the same Kintone user as before
