@entra @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/provision-on-demand
Feature: Provisioning selected users on demand
  An administrator can provision one selected user at once, without waiting for the next cycle.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  Microsoft's provisioning documentation: "Provision on demand" for a selected user.
  Article statements (docs/help-article.md): X3.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone

  Scenario: A selected user is added to Kintone on demand
    Given a user "gina" in Entra ID with display name "Gina Green"
    And the user "gina" is assigned to the Kintone app
    When the administrator provisions "gina" on demand
    Then the user "gina" exists in Kintone with display name "Gina Green"
    And provisioning on demand reports success for "gina"

  Scenario: A change to a selected user is applied on demand
    Given a user "gina" in Entra ID with display name "Gina Green"
    And the user "gina" has been provisioned to Kintone
    When the display name of "gina" changes to "Georgina Green" in Entra ID
    And the administrator provisions "gina" on demand
    Then the display name of "gina" in Kintone is "Georgina Green"
