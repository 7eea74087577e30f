@entra @help:enabling-provisioning @help:https://kintone.dev/en/tutorials/authentication-and-user-management/user-provisioning-and-synchronization-with-entra-id/
Feature: The set-up order of the help article and its Setting Guide
  The help article registers the API token and the SCIM endpoint with the IdP; the Setting Guide then tests the
  connection, switches "Provision Microsoft Entra ID Groups" off in the mappings, and starts provisioning. That
  order works end to end in both of Entra ID's payload dialects: Test Connection succeeds while group
  provisioning is still on (Kintone has no groups), and once it is off the users provision and no group is sent.
  Help article: https://get.kintone.help/general/en/admin/scim.html#enabling-provisioning
  Article statements (docs/help-article.md): A12, G20, G21, G23, G24, M13.

  Scenario Outline: Test Connection, then group provisioning switched off, then users provision (<dialect>)
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And the tenant URL selects the "<dialect>" payload dialect
    And group provisioning is switched on
    When the administrator tests the connection
    Then the test connection succeeds
    When group provisioning is switched off
    And a user "vic" in Entra ID with display name "Vic Vance"
    And the user "vic" is assigned to the Kintone app
    And provisioning runs
    Then the user "vic" exists in Kintone with display name "Vic Vance"
    And no group was sent to Kintone since group provisioning was switched off

    Examples:
      | dialect          |
      | legacy           |
      | aadOptscim062020 |
