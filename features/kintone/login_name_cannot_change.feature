@kintone @help:limitations @help:https://kintone.dev/en/tutorials/authentication-and-user-management/user-provisioning-and-synchronization-with-entra-id/
Feature: Login names cannot be changed by provisioning
  The login name of a provisioned user is never changed by a sync. To rename a user, delete the user in
  Kintone, recreate the user in Entra ID with the new login name, and sync again.
  Help article: https://get.kintone.help/general/en/admin/scim.html#limitations
  "If Propagate Provisioning is enabled, users cannot change their login names." The rename path is in the
  Setting Guide's Entra ID tutorial.
  Article statements (docs/help-article.md): A21, G14, G15.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "liam" in Entra ID with display name "Liam Lee"
    And the user "liam" has been provisioned to Kintone

  Scenario: A login name changed in Entra ID is not changed in Kintone
    When the login name of "liam" changes in Entra ID
    And provisioning runs
    Then the user "liam" keeps the old login name in Kintone
    And no user with the new login name of "liam" exists in Kintone

  @destructive @needs-admin
  Scenario: A user is renamed by deleting in Kintone, recreating in Entra ID and syncing again
    When the administrator deletes the user "liam" in Kintone
    And the user "liam" is recreated in Entra ID with a new login name
    And provisioning runs
    Then the user "liam" exists in Kintone with the new login name
    And the user "liam" with the old login name does not exist in Kintone
