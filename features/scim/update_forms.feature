@scim @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
Feature: Updates in the form of Entra ID's payload dialect
  Entra ID updates a user in the form of the payload dialect in use: legacy sends capitalised operations, one per
  item, and the status as the text "False"; aadOptscim062020 sends lower-case operations, merges the items that
  have one value into a single operation without a path, and sends the status as a boolean. Every item reaches
  the service, whichever form it came in.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  Microsoft: "Known issues and resolutions with SCIM 2.0 protocol compliance".

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "ugo" in Entra ID with display name "Ugo Ueda"
    And the user "ugo" has been provisioned to Kintone

  Scenario: Several items changed at once all reach the service
    When the display name of "ugo" changes to "Hugo Ueda" in Entra ID
    And the surname of "ugo" changes to "Uehara" in Entra ID
    And the email address of "ugo" changes to "hugo.uehara@example.org" in Entra ID
    And provisioning runs
    Then Entra ID sent the changes of "ugo" in the form of the dialect in use
    And the display name of "ugo" in Kintone is "Hugo Ueda"
    And the surname of "ugo" in Kintone is "Uehara"
    And the work email of "ugo" in Kintone is "hugo.uehara@example.org"

  Scenario: A deactivation in the form of the dialect
    When the user "ugo" is blocked from signing in
    And provisioning runs
    Then Entra ID sent the changes of "ugo" in the form of the dialect in use
    And the user "ugo" is inactive in Kintone
