@scim @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-to-account-discovery
Feature: Paging through every user with startIndex and count
  Entra ID's Account Discovery pages through all users of the service with startIndex and count. Each page
  holds at most the count asked for, says how many it holds and where it starts, and the pages together list
  every user exactly once.
  Microsoft: "Account discovery"; "Develop and plan provisioning for a SCIM endpoint" (startIndex and count).
  RFC 7644 sections 3.4.2 and 3.4.2.4.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "pam" in Entra ID with display name "Pam Page"
    And the user "pam" is assigned to the Kintone app
    And a user "pat" in Entra ID with display name "Pat Page"
    And the user "pat" is assigned to the Kintone app
    And a user "pax" in Entra ID with display name "Pax Page"
    And the user "pax" is assigned to the Kintone app
    And provisioning runs

  Scenario: Account Discovery pages through every user
    When Entra ID pages through every user of the service
    Then each page holds what it was asked for and says so
    And every user is listed exactly once, the users of this scenario among them
