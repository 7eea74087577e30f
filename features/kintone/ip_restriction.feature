@kintone @needs-admin @destructive @help:setting-guide @help:https://kintone.dev/en/tutorials/authentication-and-user-management/user-provisioning-and-synchronization-with-entra-id/
Feature: IP address restriction
  When Kintone only accepts requests from an allow list of IP addresses that does not include Entra ID's
  addresses, Test Connection fails with a clear message instead of provisioning silently doing nothing.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  The Setting Guide's Entra ID tutorial: with IP address restrictions, allow Entra ID's addresses.

  Scenario: Test connection fails when Entra ID's address is not allowed
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And the IP address restriction allows only "203.0.113.0/24"
    When the administrator tests the connection
    Then the test connection fails with a message that names the cause
