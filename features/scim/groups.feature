@scim @groups @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
Feature: Groups, as Entra ID provisions them
  When the service offers groups (its /ResourceTypes lists Group, or "groups = true" in the suite's
  configuration), Entra ID creates an assigned group after the users, finds groups by their name, reads them
  without their members, adds and removes members in the form of its payload dialect, renames groups and
  deletes a group that leaves the app. Entra ID never reads the members back. Each member removal form is
  also sent on its own, whatever the dialect in use: a customer may configure either dialect.
  Kintone takes no groups ("Departments, Job Titles, and Groups (or Roles) will not be propagated"): on Kintone
  these scenarios are not applicable.
  Microsoft: "Develop and plan provisioning for a SCIM endpoint" (groups); "Known issues and resolutions with
  SCIM 2.0 protocol compliance" (the member removal of aadOptscim062020). RFC 7644 sections 3.3, 3.5.2, 3.6.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "gil" in Entra ID with display name "Gil Grant"
    And the user "gil" has been provisioned to Kintone
    And a user "gus" in Entra ID with display name "Gus Gray"
    And the user "gus" has been provisioned to Kintone
    And a group "Design" in Entra ID with the user "gil" as a member
    And the group "Design" is assigned to the Kintone app
    And group provisioning is switched on

  Scenario: An assigned group is created, then its members are added
    When provisioning runs
    Then Entra ID's create of the group "Design" was answered 201 Created with the new group's id
    And the group "Design" in the service has exactly the member "gil"
    And Entra ID sent the member add of "gil" in the form of the dialect in use

  Scenario: A user who joins the group in Entra ID is added to it
    Given provisioning runs
    When the user "gus" joins the group "Design" in Entra ID
    And provisioning runs
    Then the group "Design" in the service has exactly the members "gil" and "gus"
    And Entra ID sent the member add of "gus" in the form of the dialect in use

  Scenario: A user who leaves the group in Entra ID is removed from it, and only that user
    Given the user "gus" joins the group "Design" in Entra ID
    And provisioning runs
    When the user "gil" leaves the group "Design" in Entra ID
    And provisioning runs
    Then the group "Design" in the service has exactly the member "gus"
    And Entra ID sent the member removal of "gil" in the form of the dialect in use

  Scenario Outline: The <form> member removal removes that member only
    Given the user "gus" joins the group "Design" in Entra ID
    And provisioning runs
    When Entra ID removes "gil" from the group "Design" in the <form> form
    Then the service accepted the member removal in the <form> form
    And the group "Design" in the service has exactly the member "gus"

    Examples:
      | form             |
      | legacy           |
      | aadOptscim062020 |

  Scenario: Several members added in one update are all added
    Given provisioning runs
    And a user "gwen" in Entra ID with display name "Gwen Gold"
    And the user "gwen" has been provisioned to Kintone
    When Entra ID adds "gus" and "gwen" to the group "Design" in one update
    Then the group "Design" in the service has exactly the members "gil", "gus" and "gwen"

  Scenario: A group is found by its name whatever the case
    Given a group "Research" in Entra ID with the user "gus" as a member
    And the group "Research" is assigned to the Kintone app
    And provisioning runs
    When Entra ID looks up the group "Design" by its name written in upper case
    Then exactly the group "Design" is found

  Scenario: A group is read without its members
    Given provisioning runs
    When Entra ID reads the group "Design" without its members
    Then the answer carries the group without its members

  Scenario: A group renamed in Entra ID is renamed in the service
    Given provisioning runs
    When the group "Design" is renamed to "Product Design" in Entra ID
    And provisioning runs
    Then the group "Design" in the service is named "Product Design"

  Scenario: A group unassigned from the app is deleted from the service
    Given provisioning runs
    When the group "Design" is unassigned from the Kintone app
    And provisioning runs
    Then Entra ID's delete of the group "Design" was answered 204 No Content
    And reading the group "Design" by its id answers not found

  Scenario: After a restart from scratch the group and its members are matched again without failures
    Given provisioning runs
    When the administrator restarts provisioning from scratch
    And provisioning runs
    Then the provisioning log shows no failure for the group "Design"
    And the group "Design" in the service has exactly the member "gil"
