@kintone @needs-admin @help:setting-guide @help:https://kintone.dev/en/tutorials/authentication-and-user-management/user-provisioning-and-synchronization-with-entra-id/
Feature: Users already in Kintone are adopted by provisioning
  A user the administrator added in Kintone before provisioning is found by login name and managed by
  provisioning from then on; no second user is created.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  The Setting Guide's Entra ID tutorial: users who already exist in Kintone can be used with provisioning.
  Article statements (docs/help-article.md): A24, G7, M16.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone

  Scenario: A user added in Kintone first is taken over by provisioning
    Given a user "kate" in Entra ID with display name "Kate King"
    And the administrator has added the user "kate" in Kintone with display name "K. King"
    And the user "kate" is assigned to the Kintone app
    When provisioning runs
    Then the user "kate" exists in Kintone with display name "Kate King"
    And there is exactly one user "kate" in Kintone
    And the user "kate" is the same Kintone user the administrator added
