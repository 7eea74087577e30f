@entra @help:setting-guide @help:https://learn.microsoft.com/en-us/entra/identity/saas-apps/kintone-provisioning-tutorial
Feature: The seven attribute mappings the Setting Guide keeps
  Microsoft's Kintone tutorial and the Setting Guide keep seven user mappings and delete the others:
  userName from userPrincipalName, active from Switch([IsSoftDeleted], , "False", "True", "True", "False"),
  displayName, emails[type eq "work"].value from mail, name.givenName, name.familyName, and externalId from
  mailNickname. They are checked on the wire: what Entra ID sends, not only what Kintone made of it.
  Help article: https://get.kintone.help/general/en/admin/scim.html#setting-guide
  The Disable form: Microsoft's "Known issues and resolutions with SCIM 2.0 protocol compliance" (legacy
  "False" as a string, aadOptscim062020 a boolean).
  Article statements (docs/help-article.md): A3, A22, G22, M16, X5.

  Background:
    Given Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone

  Scenario: Entra ID's create carries the seven mapped attributes and nothing else
    Given a user "wyn" in Entra ID with display name "Wyn Walsh"
    And the user "wyn" is assigned to the Kintone app
    When provisioning runs
    Then Entra ID's request creating "wyn" carries exactly these attributes:
      | attribute                    | from Entra ID       |
      | userName                     | [userPrincipalName] |
      | active                       | true                |
      | displayName                  | [displayName]       |
      | emails[type eq "work"].value | [mail]              |
      | name.givenName               | [givenName]         |
      | name.familyName              | [surname]           |
      | externalId                   | [mailNickname]      |
    And the user "wyn" exists in Kintone with display name "Wyn Walsh"
    And the email address of "wyn" in Kintone is the one from Entra ID

  Scenario Outline: The Switch on IsSoftDeleted sets active, in the <dialect> dialect's form
    Given the tenant URL selects the "<dialect>" payload dialect
    And a user "wyn" in Entra ID with display name "Wyn Walsh"
    And the user "wyn" has been provisioned to Kintone
    When the user "wyn" is deleted in Entra ID
    And provisioning runs
    Then Entra ID's last update of "wyn" has the operation {"op":"<op>","path":"active","value":<disabled>}
    And the user "wyn" is inactive in Kintone
    When the user "wyn" is restored in Entra ID
    And provisioning runs
    Then Entra ID's last update of "wyn" has the operation {"op":"<op>","path":"active","value":<enabled>}
    And the user "wyn" is active in Kintone

    Examples:
      | dialect          | op      | disabled | enabled |
      | legacy           | Replace | "False"  | "True"  |
      | aadOptscim062020 | replace | false    | true    |
