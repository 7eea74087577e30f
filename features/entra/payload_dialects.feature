@entra @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
Feature: Both payload dialects of Entra ID
  Entra ID sends either its legacy requests or the SCIM-compliant ones selected by "aadOptscim062020" in the
  tenant URL; provisioning to Kintone works with both.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  Microsoft's documentation: "Known issues and resolutions with SCIM 2.0 protocol compliance" (aadOptscim062020).
  Article statements (docs/help-article.md): X5.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone

  Scenario Outline: Add, update and deactivate a user with the <dialect> dialect
    Given the tenant URL selects the "<dialect>" payload dialect
    And a user "jun" in Entra ID with display name "Jun Jones"
    And the user "jun" is assigned to the Kintone app
    When provisioning runs
    Then the user "jun" exists in Kintone with display name "Jun Jones"
    When the display name of "jun" changes to "Jun Jameson" in Entra ID
    And the given name of "jun" changes to "Junior" in Entra ID
    And provisioning runs
    Then the display name of "jun" in Kintone is "Jun Jameson"
    And the given name of "jun" in Kintone is "Junior"
    When the user "jun" is unassigned from the Kintone app
    And provisioning runs
    Then the user "jun" is inactive in Kintone

    Examples:
      | dialect          |
      | legacy           |
      | aadOptscim062020 |
