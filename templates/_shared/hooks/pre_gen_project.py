"""Refuse a project whose package name Python cannot import, before any file is written."""

import keyword
import re
import sys

package = "{{ cookiecutter.package_name }}"
slug = "{{ cookiecutter.project_slug }}"

if not re.fullmatch(r"[a-z_][a-z0-9_]*", package) or keyword.iskeyword(package):
    sys.exit(
        f"error: {package!r} is not a valid Python package name: use lowercase letters, digits "
        "and underscores, not starting with a digit (set package_name, or `byof new --package`)"
    )
if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", slug):
    sys.exit(f"error: {slug!r} is not a valid project directory name: use lowercase letters, digits, '-' and '_'")
