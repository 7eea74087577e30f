"""A fake Microsoft Entra ID provisioning service that speaks SCIM 2.0 over HTTP to any target."""
