"""Date formats of the portal's languages (``FORMAT_MODULE_PATH``): one style per language on
every page, email and certificate; templates use only these named formats."""
