"""Reading readers' update codes from mail and writing what the rep accepts into the deal (mapsite inbox)."""
