@kintone @needs-admin @destructive @help:setting-guide @help:https://kintone.dev/en/tutorials/authentication-and-user-management/user-provisioning-and-synchronization-with-entra-id/
Feature: IP address restriction
  The Setting Guide's Entra ID tutorial advises restricting access on the Entra ID side, not putting Entra ID's
  addresses on Kintone's IP address restriction list: they change. Its troubleshooting says that when Kintone's
  IP address restriction refuses Entra ID, Test Connection fails with "An invalid certificate was entered".
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  Our copies of the tutorial are cut off before those sections: the wording is issue 9's reading of the guide,
  and how cybozu.com answers a refused address is our documented assumption (docs/help-article.md, G18, G19).
  Article statements (docs/help-article.md): G18, G19, M25.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone

  Scenario: Test connection fails with "An invalid certificate was entered" when Kintone's IP restriction refuses Entra ID
    Given the IP address restriction allows only "203.0.113.0/24"
    When the administrator tests the connection
    Then the test connection fails with the message "An invalid certificate was entered"

  Scenario: Users provision once Kintone's IP restriction no longer stands between Kintone and Entra ID
    Given a user "ula" in Entra ID with display name "Ula Unger"
    And the user "ula" is assigned to the Kintone app
    And the IP address restriction allows only "203.0.113.0/24"
    When provisioning runs
    Then the user "ula" does not exist in Kintone
    And provisioning is quarantined with the message "An invalid certificate was entered"
    When the IP address restriction in Kintone is lifted
    And the administrator tests the connection
    Then the test connection succeeds
    When the administrator restarts provisioning
    And provisioning runs
    Then the user "ula" exists in Kintone with display name "Ula Unger"
