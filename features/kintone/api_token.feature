@kintone @help:enabling-provisioning
Feature: API token for provisioning
  The API token and SCIM endpoint shown when the administrator creates an API token are entered in Entra ID as
  the secret token and tenant URL; Test Connection succeeds only with a valid token.
  Help article: https://get.kintone.help/general/en/admin/scim.html#enabling-provisioning
  "Register the API token and the SCIM Endpoint of Kintone with the IdP." Token reissue: #reissuing-an-api-token.
  Article statements (docs/help-article.md): A11, A12, A16, A17, A19, A20, M13.

  Scenario: Test connection succeeds with a valid API token
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    When the administrator tests the connection
    Then the test connection succeeds

  Scenario: Test connection fails with an invalid API token
    Given Entra ID is set up with the SCIM endpoint and a secret token that Kintone never issued
    When the administrator tests the connection
    Then the test connection fails because the secret token is not accepted

  @needs-admin
  Scenario: The SCIM endpoint and API token from token creation work as tenant URL and secret token
    Given the administrator creates an API token valid for 30 days with notes "scim-harness token creation"
    And Entra ID is set up with the SCIM endpoint and the API token just created
    When the administrator tests the connection
    Then the test connection succeeds
    Given a user "rita" in Entra ID with display name "Rita Ross"
    And the user "rita" is assigned to the Kintone app
    When provisioning runs
    Then the user "rita" exists in Kintone with display name "Rita Ross"

  @needs-admin @help:reissuing-an-api-token
  Scenario: Test connection fails with a disabled API token
    Given the administrator creates an API token valid for 30 days with notes "scim-harness disabled token"
    And Entra ID is set up with the SCIM endpoint and the API token just created
    When the administrator disables the API token just created
    And the administrator tests the connection
    Then the test connection fails because the secret token is not accepted

  @needs-admin
  Scenario: Test connection fails with an expired API token
    Given the administrator creates an API token valid for 30 days with notes "scim-harness expired token"
    And Entra ID is set up with the SCIM endpoint and the API token just created
    When the API token just created expires
    And the administrator tests the connection
    Then the test connection fails because the secret token is not accepted

  @needs-admin @help:reissuing-an-api-token
  Scenario: Reissuing an API token: the new token works, the old one fails once disabled and once deleted
    Given the administrator creates an API token valid for 30 days with notes "scim-harness old token"
    And Entra ID is set up with the SCIM endpoint and the API token "scim-harness old token"
    And a user "vera" in Entra ID with display name "Vera Voss"
    And the user "vera" has been provisioned to Kintone
    When the administrator creates an API token valid for 30 days with notes "scim-harness new token"
    And Entra ID is set up with the SCIM endpoint and the API token "scim-harness new token"
    And the administrator tests the connection
    Then the test connection succeeds
    When the display name of "vera" changes to "Vera Vance" in Entra ID
    And provisioning runs
    Then the display name of "vera" in Kintone is "Vera Vance"
    When the administrator disables the API token "scim-harness old token"
    And Entra ID is set up with the SCIM endpoint and the API token "scim-harness old token"
    And the administrator tests the connection
    Then the test connection fails because the secret token is not accepted
    When the administrator deletes the API token "scim-harness old token"
    And the administrator tests the connection
    Then the test connection fails because the secret token is not accepted
