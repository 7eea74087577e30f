@scim @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
Feature: Answers are SCIM documents
  Every answer, success or error, is sent as application/scim+json, whatever Accept header Entra ID sends.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  RFC 7644 section 3.1: the media type application/scim+json.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "xia" in Entra ID with display name "Xia Xu"
    And the user "xia" has been provisioned to Kintone

  Scenario: Successful answers and errors use the SCIM media type
    When Entra ID reads the user "xia" without an Accept header
    And Entra ID reads a user by an id that does not exist
    Then every answer in this scenario was sent as application/scim+json
