@kintone @needs-admin @destructive @help:disabling-provisioning
Feature: Propagate Provisioning switched off
  While Propagate Provisioning is switched off, user information in Entra ID is not applied to Kintone; once it is
  switched on again, the next sync applies it.
  Help article: https://get.kintone.help/general/en/admin/scim.html#disabling-provisioning
  "If Propagate Provisioning is disabled, user information in the IdP will no longer be propagated to Kintone."
  Article statements (docs/help-article.md): A14, A15.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "sam" in Entra ID with display name "Sam Scott"
    And the user "sam" has been provisioned to Kintone

  Scenario: Changes are not applied while Propagate Provisioning is switched off
    Given Propagate Provisioning is switched off
    And a user "tara" in Entra ID with display name "Tara Tan"
    And the user "tara" is assigned to the Kintone app
    When the display name of "sam" changes to "Samuel Scott" in Entra ID
    And provisioning runs
    Then the display name of "sam" in Kintone is "Sam Scott"
    And the user "tara" does not exist in Kintone

  Scenario: Changes are applied once Propagate Provisioning is switched on again
    Given Propagate Provisioning is switched off
    And the display name of "sam" changes to "Samuel Scott" in Entra ID
    And provisioning runs
    When Propagate Provisioning is switched on
    And the administrator restarts provisioning
    And provisioning runs
    Then the display name of "sam" in Kintone is "Samuel Scott"
