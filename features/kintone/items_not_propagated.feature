@kintone @help:items-propagated-from-idp
Feature: Departments, job titles, groups and roles are not propagated
  Kintone keeps only the items it takes from the IdP; a user's department, job title, groups and roles in
  Entra ID do not reach Kintone, even when Entra ID sends them.
  Help article: https://get.kintone.help/general/en/admin/scim.html#items-propagated-from-idp
  "Departments, Job Titles, and Groups (or Roles) will not be propagated."
  Article statements (docs/help-article.md): A9, G11, M11.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone

  Scenario: A user's department and job title are not propagated
    Given a user "nora" in Entra ID with display name "Nora Nash"
    And the user "nora" has job title "Engineer" and department "Research" in Entra ID
    And department and job title are mapped to Kintone
    And the user "nora" is assigned to the Kintone app
    When provisioning runs
    Then Entra ID sent the department and job title of "nora" when it created the user
    And the user "nora" exists in Kintone with display name "Nora Nash"
    And the user "nora" has no department or job title in Kintone

  Scenario: A group assigned to the Kintone app is not propagated, its members are
    Given a user "omar" in Entra ID with display name "Omar Ortiz"
    And a group "Sales" in Entra ID with the user "omar" as a member
    And the group "Sales" is assigned to the Kintone app
    When provisioning runs
    Then the user "omar" exists in Kintone with display name "Omar Ortiz"
    And the group "Sales" does not exist in Kintone

  Scenario: A user's role is sent by Entra ID and not kept by Kintone
    Given a user "rosa" in Entra ID with display name "Rosa Reyes"
    And the user "rosa" is assigned to the Kintone app with the role "Admin"
    When provisioning runs
    Then Entra ID's request creating "rosa" carries the role "Admin"
    And the user "rosa" exists in Kintone with display name "Rosa Reyes"
    And the user "rosa" has no role in Kintone
