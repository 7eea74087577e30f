@kintone @help:items-propagated-from-idp @help:https://cybozu.dev/ja/common/docs/user-api/users/add-users/
Feature: Kintone's limits on the propagated items
  Kintone keeps a display name of at most 128 characters, and a surname or given name of at most 64. A user whose
  items are longer is not added, and Entra ID's provisioning log shows the failure, instead of a shortened copy.
  Help article: https://get.kintone.help/general/en/admin/scim.html#items-propagated-from-idp
  The limits are those of Kintone's User API (https://cybozu.dev/ja/common/docs/user-api/users/add-users/);
  that provisioning applies the same limits is our assumption.
  Article statements (docs/help-article.md): X6.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone

  Scenario: A user whose display name is too long is not added
    Given a user "zoe" in Entra ID whose display name is 129 characters long
    And the user "zoe" is assigned to the Kintone app
    When provisioning runs
    Then the user "zoe" does not exist in Kintone
    And the provisioning log shows that "zoe" could not be added

  Scenario: A user whose display name is exactly at the limit is added
    Given a user "zed" in Entra ID whose display name is 128 characters long
    And the user "zed" is assigned to the Kintone app
    When provisioning runs
    Then the user "zed" exists in Kintone with the 128 character display name
