"""Identity and access: the member registry, staff accounts, partner credentials, second factor and sign-in."""
