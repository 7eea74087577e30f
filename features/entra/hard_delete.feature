@entra @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works @help:https://learn.microsoft.com/en-us/entra/identity/saas-apps/kintone-provisioning-tutorial
Feature: A user deleted for good in Entra ID is removed from Kintone
  A user deleted in Entra ID waits 30 days in the recycle bin, disabled in the app; once deleted for good (after
  the 30 days, or purged by hand) the provisioning service reads the user and sends DELETE. Microsoft's Kintone
  tutorial: "Remove users in Kintone when they do not require access anymore." What Kintone does with a SCIM
  DELETE is unpublished (the emulator deletes the user: its `scim_delete` assumption), so the scenarios check
  the documented part: Entra ID reads, then deletes; Kintone accepts; the user has no access any more.
  Article statements (docs/help-article.md): M2, X1.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "xena" in Entra ID with display name "Xena Xu"
    And the user "xena" has been provisioned to Kintone

  Scenario: After 30 days in the recycle bin, the user is deleted in Kintone
    When the user "xena" is deleted in Entra ID
    And 30 days pass
    Then Entra ID reads and then deletes the user "xena" in Kintone
    And the user "xena" no longer has access to Kintone

  Scenario: A user purged from the recycle bin is deleted in Kintone at the next cycle
    When the user "xena" is deleted in Entra ID
    And provisioning runs
    And the user "xena" is permanently deleted from the recycle bin
    And provisioning runs
    Then Entra ID reads and then deletes the user "xena" in Kintone
    And the user "xena" no longer has access to Kintone
