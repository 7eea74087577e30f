@entra @help:items-propagated-from-idp @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works
Feature: Updating the items propagated from the IdP
  A change in Entra ID to an item Kintone takes from the IdP reaches Kintone at the next provisioning cycle.
  The login name is the exception (see "Login names cannot be changed by provisioning").
  Help article: https://get.kintone.help/general/en/admin/scim.html#items-propagated-from-idp
  "Login Name, Display Name, Surname, Given Name, E-mail Address" are propagated; the status (active or inactive)
  is synced too (Kintone developer tutorial for Entra ID, linked from the article's Setting Guide).
  Article statements (docs/help-article.md): A4, A5, A6, A7, G4, G6, M3.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone
    And a user "carol" in Entra ID with display name "Carol Clark"
    And the user "carol" has been provisioned to Kintone

  Scenario Outline: Changing the <item> in Entra ID changes it in Kintone
    When the <item> of "carol" changes to "<value>" in Entra ID
    And provisioning runs
    Then the <item> of "carol" in Kintone is "<value>"

    Examples:
      | item          | value              |
      | display name  | Carol Carter-Clark |
      | surname       | Carter             |
      | given name    | Caroline           |
      | email address | carol.new@example.org |

  Scenario: Changing the status in Entra ID changes the status in Kintone
    When the user "carol" is blocked from signing in
    And provisioning runs
    Then the user "carol" is inactive in Kintone
    When the user "carol" is allowed to sign in again
    And provisioning runs
    Then the user "carol" is active in Kintone
