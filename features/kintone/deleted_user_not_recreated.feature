@kintone @destructive @needs-admin @help:limitations @help:https://kintone.dev/en/tutorials/authentication-and-user-management/user-provisioning-and-synchronization-with-entra-id/
Feature: A user deleted in Kintone is not recreated by provisioning
  A provisioned user that the administrator deletes in Kintone is not added again by later syncs.
  Switching Propagate Provisioning off and on again, then syncing again, adds the user again. "From scratch" is
  Entra ID's restart with a full re-match, so that Entra ID looks the user up and tries to add it again.
  Help article: https://get.kintone.help/general/en/admin/scim.html#limitations
  "Delete users propagated from IdP in Kintone" may cause errors; the fix (switch Propagate Provisioning off and
  on again, then sync) is in the Setting Guide's Entra ID tutorial. Re-creating the user in Entra ID (the older
  guidance, and the tutorial's rename path with the same name) is one way to sync it again.
  Article statements (docs/help-article.md): A23, G12, G13, X2.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "mia" in Entra ID with display name "Mia Moore"
    And the user "mia" has been provisioned to Kintone

  Scenario: Another sync does not recreate a user deleted in Kintone
    When the administrator deletes the user "mia" in Kintone
    And the administrator restarts provisioning from scratch
    And provisioning runs
    Then the user "mia" does not exist in Kintone

  Scenario: After Propagate Provisioning is switched off and on, the user is added again
    Given the administrator deletes the user "mia" in Kintone
    And the administrator restarts provisioning from scratch
    And provisioning runs
    When Propagate Provisioning is switched off
    And Propagate Provisioning is switched on
    And the administrator restarts provisioning from scratch
    And provisioning runs
    Then the user "mia" exists in Kintone with display name "Mia Moore"

  Scenario: A user deleted in Kintone is added again by re-creating it in Entra ID, once Propagate Provisioning is switched off and on
    Given the administrator deletes the user "mia" in Kintone
    When Propagate Provisioning is switched off
    And Propagate Provisioning is switched on
    And the user "mia" is recreated in Entra ID with the same login name
    And provisioning runs
    Then the user "mia" exists in Kintone with display name "Mia Moore"
    And the user "mia" is a new Kintone user
