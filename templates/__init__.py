"""Project templates rendered by `byof new` (cookiecutter layout), shipped as package data."""
