@scim @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
Feature: What the service answers when Entra ID creates and deletes a user
  Entra ID creates an assigned user and links it by the id the service answers; when a user it still manages
  is deleted for good in Entra ID (purged from the recycle bin), it reads the user, then deletes it. The service
  answers the create with 201 Created, the new user's id and its location, and the delete with 204 No Content;
  the deleted user is then not found.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  RFC 7644 sections 3.3 and 3.6; Microsoft: "Develop and plan provisioning for a SCIM endpoint".

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "dora" in Entra ID with display name "Dora Diaz"

  Scenario: A created user is answered 201 Created with its id and location
    When the user "dora" is assigned to the Kintone app
    And provisioning runs
    Then Entra ID's create of "dora" was answered 201 Created with the new user's id
    And the answer to Entra ID's create of "dora" says where the new user is

  Scenario: A user deleted for good in Entra ID is read, deleted and then not found
    Given the user "dora" has been provisioned to Kintone
    When the user "dora" is permanently deleted from the recycle bin
    And provisioning runs
    Then Entra ID read "dora" before deleting it
    And the delete of "dora" was answered 204 No Content
    And the user "dora" does not exist in Kintone
    When Entra ID reads the user "dora" by its id
    Then the answer is a SCIM error saying the user was not found
