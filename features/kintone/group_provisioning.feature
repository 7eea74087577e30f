@kintone @help:items-propagated-from-idp
Feature: Group provisioning left switched on
  Kintone does not take groups from the IdP. If group provisioning is left switched on in Entra ID, provisioning
  reports a problem with groups; once it is switched off, the users provision and no group is sent.
  Help article: https://get.kintone.help/general/en/admin/scim.html#items-propagated-from-idp
  "Departments, Job Titles, and Groups (or Roles) will not be propagated."
  Article statements (docs/help-article.md): A9, G11, G21, M25.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "pia" in Entra ID with display name "Pia Park"
    And a group "Support" in Entra ID with the user "pia" as a member
    And the group "Support" is assigned to the Kintone app

  Scenario: With group provisioning switched on, provisioning reports a problem with groups
    Given group provisioning is switched on
    When provisioning runs
    Then provisioning reports a problem with groups
    And the group "Support" does not exist in Kintone

  Scenario: Once group provisioning is switched off, the users provision and no group is sent
    Given group provisioning is switched on
    And provisioning runs
    When group provisioning is switched off
    And the administrator restarts provisioning
    And provisioning runs
    Then the user "pia" exists in Kintone with display name "Pia Park"
    And no group was sent to Kintone since group provisioning was switched off
