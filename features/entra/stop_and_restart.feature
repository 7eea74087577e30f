@entra @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works
Feature: Stopping and restarting provisioning
  While provisioning is stopped nothing reaches Kintone; when it is started again the changes made in the
  meantime are applied (catch-up), and a restart runs a new initial cycle.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  Microsoft's provisioning documentation: stop, start and restart provisioning.
  Article statements (docs/help-article.md): M19, X4.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "hana" in Entra ID with display name "Hana Hill"
    And the user "hana" has been provisioned to Kintone

  Scenario: Changes made while provisioning is stopped are applied when it starts again
    Given provisioning is stopped
    When the display name of "hana" changes to "Hana Holmes" in Entra ID
    And 2 hours pass
    Then the display name of "hana" in Kintone is "Hana Hill"
    When provisioning is started again
    And 40 minutes pass
    Then the display name of "hana" in Kintone is "Hana Holmes"

  Scenario: Restarting provisioning applies every user again
    Given a user "ivan" in Entra ID with display name "Ivan Ito"
    And the user "ivan" is assigned to the Kintone app
    And provisioning is stopped
    When the administrator restarts provisioning
    And provisioning runs
    Then the user "ivan" exists in Kintone with display name "Ivan Ito"
    And the user "hana" is the same Kintone user as before
    And the cycle after the restart went through "hana" again
