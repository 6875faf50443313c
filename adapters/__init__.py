"""Built-in byof adapters, one module per framework, each a pluggy plugin.

An adapter module must not import its framework at import time: it is loaded through the
`byof` entry-point group whether or not the framework is installed.
"""
