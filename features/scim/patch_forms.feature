@scim @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility
Feature: The update forms Entra ID sends are understood
  Entra ID updates users with PATCH requests in forms a service must accept: capitalised operation names, the
  status as the text "True" or "False", a replace without a path whose value has dotted attribute names, and a
  path that selects a work email the user does not have yet (the service must create it).
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  Microsoft: "Known issues and resolutions with SCIM 2.0 protocol compliance".

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "wes" in Entra ID with display name "Wes Walker" and no email address
    And the user "wes" has been provisioned to Kintone

  Scenario: A capitalised Replace without a path, with dotted attribute names
    When Entra ID replaces the given name of "wes" with "Wesley" without a path
    Then the service accepted the replace without a path
    And the given name of "wes" in Kintone is "Wesley"

  Scenario: A Replace through a filtered path adds a work email the user did not have
    When Entra ID replaces the work email of "wes" with "wes.walker@example.org" through a filtered path
    Then the service accepted the replace through the filtered path
    And the work email of "wes" in Kintone is "wes.walker@example.org"

  Scenario: The status sent as the text "False" and then "True"
    When Entra ID sets the status of "wes" to the text "False"
    Then the service accepted the status as text
    And the user "wes" is inactive in Kintone
    When Entra ID sets the status of "wes" to the text "True"
    Then the user "wes" is active in Kintone
