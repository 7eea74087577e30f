@entra @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/saas-apps/kintone-provisioning-tutorial
Feature: Provisioning runs every 40 minutes
  After the first cycle, Entra ID applies changes in incremental cycles about every 40 minutes.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  Microsoft's Kintone tutorial: "subsequent cycles occur about every 40 minutes".
  Article statements (docs/help-article.md): A2, M22.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "frank" in Entra ID with display name "Frank Foster"
    And the user "frank" has been provisioned to Kintone

  Scenario: A change is applied by the next cycle, not before
    When the display name of "frank" changes to "Francis Foster" in Entra ID
    And 30 minutes pass
    Then the display name of "frank" in Kintone is "Frank Foster"
    When 10 more minutes pass
    Then the display name of "frank" in Kintone is "Francis Foster"
