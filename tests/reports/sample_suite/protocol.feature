@scim
Feature: Protocol behaviour
  What any SCIM server must do for Entra to work.

  Scenario: Kintone-only rule on a vendor server
    Given the target is not Kintone

  @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
  Scenario: A careless step takes the secret token as an argument
    Given a step that breaks the no-secret-in-signature rule

  @kintone_only
  Scenario: A Kintone rule skipped before it starts
    Given the target is not Kintone
