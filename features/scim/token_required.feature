@scim @help:enabling-provisioning @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
Feature: Requests without a valid token are refused
  The SCIM endpoint answers only requests that carry a valid API token as a bearer token; a request without one,
  or with a wrong one, is refused as unauthorized and changes nothing.
  Help article: https://get.kintone.help/general/en/admin/scim.html#enabling-provisioning
  RFC 7644 section 2: 401 for a missing or invalid credential.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone

  Scenario: A request without a token is refused
    When Entra ID sends a request without a token
    Then the answer is a SCIM error saying the request is unauthorized

  Scenario: A create with a wrong token is refused and creates nothing
    Given a user "yuki" in Entra ID with display name "Yuki Yamada"
    When Entra ID creates the user "yuki" with a wrong token
    Then the answer is a SCIM error saying the request is unauthorized
    And the user "yuki" does not exist in Kintone
