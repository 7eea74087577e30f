@kintone @help:adding-users
Feature: Adding a user
  Users assigned to the Kintone app in Entra are created in Kintone.

  Scenario: A new user is created in Kintone
    Given the administrator created an API token
    When Entra provisions the user "alice@contoso.com"
    Then "alice@contoso.com" exists in Kintone

  Scenario: Creating the same user twice succeeds
    Given the administrator created an API token
    When Entra provisions the user "bob@contoso.com"
    Then the target answered 201
