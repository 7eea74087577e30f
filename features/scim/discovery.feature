@scim @help:https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups
Feature: The service describes what it serves
  The service answers /ServiceProviderConfig, /ResourceTypes and /Schemas, and what they say is what it serves:
  updates (PATCH) and filters, users, and groups exactly when it serves /Groups. Entra ID does not read them for
  a custom app; gallery apps and every client that discovers the service do.
  RFC 7644 section 4; RFC 7643 sections 5, 6 and 7; Microsoft: "Develop and plan provisioning for a SCIM
  endpoint".

  Scenario: The service provider configuration says what works
    Then the service provider configuration says updates and filters are supported

  Scenario: The resource types are the ones served
    Then the resource types describe exactly the users and groups the service serves

  Scenario: The schemas are the ones served
    Then the schemas describe the users and groups the service serves
