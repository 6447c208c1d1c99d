"""Organisation: the province, agencies as a tree, users and their memberships."""
