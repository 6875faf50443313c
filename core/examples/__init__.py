"""Reference examples shipped with byof (used by `byof demo`, the docs and the tests)."""
